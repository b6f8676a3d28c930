// The UCP live dashboard: renders each snapshot that GET /api/events pushes, without reloading.
// Every value from the cluster goes into the page as text (never as HTML).
"use strict";

(function () {
  // Set once per page load: a reload would change it (the browser test relies on this).
  window.ucpDashboard = { loadId: Math.random().toString(36).slice(2), snapshots: 0, selectedJob: null };

  const $ = (selector, root = document) => root.querySelector(selector);

  /** An element with attributes (class, data-*, title) and children (strings become text). */
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined) continue;
      if (key === "class") node.className = value;
      else if (key === "style") node.style.cssText = value;
      else node.setAttribute(key, value);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : String(child));
    }
    return node;
  }

  const badge = (text) => el("span", { class: "badge " + text }, text);
  const num = (value) => el("td", { class: "num" }, value);
  const shortId = (id) => (id && id.length > 10 ? id.slice(0, 8) : id);

  function bytes(n) {
    if (n === null || n === undefined) return "–";
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i === 0 ? n : n.toFixed(1)) + " " + units[i];
  }

  function ago(ms) {
    if (ms < 1000) return "just now";
    const s = Math.round(ms / 1000);
    if (s < 60) return s + " s ago";
    if (s < 3600) return Math.round(s / 60) + " min ago";
    return Math.round(s / 3600) + " h ago";
  }

  const time = (epochMs) => new Date(epochMs).toLocaleTimeString();
  const clock = (c) => Object.entries(c || {}).map(([k, v]) => k + ":" + v).join(" ") || "–";

  function meter(used, total) {
    const pct = total > 0 ? Math.min(100, Math.round((100 * used) / total)) : 0;
    return el("span", { class: "meter", title: pct + "%" }, el("span", { style: "width:" + pct + "%" }));
  }

  function fill(section, rows, count, emptyText) {
    const tbody = $("#" + section + " tbody");
    tbody.replaceChildren(...rows);
    $("#" + section + " .count").textContent = "(" + count + ")";
    const empty = $("#" + section + " .empty");
    if (empty) empty.hidden = rows.length > 0;
    else if (rows.length === 0 && emptyText) {
      tbody.append(el("tr", {}, el("td", { colspan: 20, class: "muted" }, emptyText)));
    }
  }

  function renderBrokers(snapshot) {
    const coordination = new Map(snapshot.coordination.map((c) => [c.brokerId, c]));
    const rows = snapshot.cluster.brokers.map((b) => {
      const c = coordination.get(b.brokerId) || { peers: [], clock: {}, conflictsMerged: 0 };
      const peers = c.peers.length === 0 ? el("span", { class: "muted" }, "no peers")
        : c.peers.map((p) => el("div", {},
            p.brokerId + " ", badge(p.health),
            " lag " + p.lagEntries + " · " + ago(p.lastSyncMsAgo)));
      return el("tr", { "data-id": b.brokerId },
        el("td", {}, b.brokerId), el("td", {}, b.strategy),
        num(b.executors), num(b.running), num(b.queued),
        el("td", { class: "wrap" }, peers), num(c.conflictsMerged),
        el("td", { class: "mono wrap" }, clock(c.clock)));
    });
    fill("brokers", rows, rows.length, "No live broker.");
  }

  function renderExecutors(snapshot) {
    const rows = snapshot.cluster.executors.map((e) => {
      const cap = e.capabilities || {};
      return el("tr", { "data-id": e.executorId },
        el("td", {}, e.executorId), el("td", {}, badge(e.health)),
        el("td", {}, meter(e.running, e.slots), e.running + " / " + e.slots),
        el("td", {}, bytes(cap.freeMemoryMb * 1048576) + " · " + bytes(cap.freeDiskMb * 1048576)), num(cap.cpuCores),
        num(cap.cpuLoad + "%"), el("td", {}, cap.onBattery ? "battery " + cap.powerPercent + "%" : "mains"),
        el("td", {}, e.broker));
    });
    fill("executors", rows, rows.length, "No executor has registered yet.");
  }

  function renderDatastores(snapshot) {
    const rows = snapshot.cluster.datastores.map((d) => el("tr", { "data-id": d.datastoreId },
      el("td", {}, d.datastoreId), el("td", {}, badge(d.health)),
      el("td", { title: bytes(d.freeBytes) + " free of " + bytes(d.totalBytes) }, meter(d.totalBytes - d.freeBytes, d.totalBytes), bytes(d.freeBytes)),
      num(d.objects), num(bytes(d.storedBytes))));
    fill("datastores", rows, rows.length, "No datastore yet.");
  }

  // The job list can be narrowed to one state and to ids that start with what is typed.
  function jobShown(j) {
    const state = $("#job-state").value;
    const prefix = $("#job-search").value.trim().toLowerCase();
    return (!state || j.state === state) && (!prefix || j.jobId.startsWith(prefix));
  }

  function renderJobs(snapshot) {
    const now = snapshot.at;
    const rows = snapshot.jobs.rows.filter(jobShown).map((j) => {
      // A FAILED job's result (a trap, a limit, a missing input) has no exit code: its reason says why.
      const accepted = j.acceptedAttempt === null ? el("span", { class: "muted", title: j.reason || "" }, j.state === "FAILED" ? "failed" : "–")
        : j.exitCode === null ? el("span", { class: "failed-reason", title: "sha256 " + j.sha256 },
            "#" + j.acceptedAttempt + " · " + (j.reason || "no exit"))
        : el("span", { title: "sha256 " + j.sha256 }, "#" + j.acceptedAttempt + " · exit " + j.exitCode);
      const row = el("tr", { "data-id": j.jobId, class: j.jobId === window.ucpDashboard.selectedJob ? "selected" : null },
        el("td", { class: "mono", title: j.jobId }, shortId(j.jobId)), el("td", {}, j.module),
        el("td", { class: "state" }, badge(j.state)), num(j.attempts), num(j.redeploys),
        el("td", {}, accepted), el("td", { title: new Date(j.submittedAt).toISOString() }, ago(now - j.submittedAt)));
      return row;
    });
    const total = snapshot.jobs.total;
    const listed = snapshot.jobs.rows.length;
    const count = listed < total ? "newest " + listed + " of " + total : "" + total;
    fill("jobs", rows, rows.length < listed ? rows.length + " shown, " + count : count);
  }

  function renderConflicts(snapshot) {
    const c = snapshot.conflicts;
    const stat = (value, label) => el("div", { class: "stat" }, el("div", { class: "value" }, value), el("div", { class: "label" }, label));
    const counts = Object.entries(c.counts || {});
    const decided = counts.reduce((sum, [, n]) => sum + n, 0);
    const accepted = counts.filter(([k]) => k.includes(" ACCEPTED")).reduce((sum, [, n]) => sum + n, 0);
    const table = counts.length === 0 ? el("p", { class: "muted" }, "No result decided yet.")
      : el("table", {},
          el("thead", {}, el("tr", {}, el("th", {}, "policy"), el("th", {}, "verdict"), el("th", {}, "reason"), el("th", { class: "num" }, "count"))),
          el("tbody", {}, counts.map(([key, n]) => {
            const [policy, verdict, reason] = key.split(" ");
            return el("tr", {}, el("td", {}, policy), el("td", {}, badge(verdict)), el("td", {}, reason || "–"), num(n));
          })));
    $("#conflicts .body").replaceChildren(el("div", { class: "stats" },
      stat(decided, "decisions"), stat(accepted, "accepted"), stat(decided - accepted, "rejected"),
      stat(c.latencyMsP50.toFixed(1) + " ms", "decision latency p50"),
      stat(c.latencyMsP99.toFixed(1) + " ms", "decision latency p99"),
      stat((c.arbiters || []).map((a) => a.arbiter).join(", ") || "–", "arbiters"),
      el("div", { style: "flex:1; min-width: 20rem" }, table)));
  }

  function renderEmergency(snapshot) {
    const e = snapshot.cluster.emergency;
    const banner = $("#emergency");
    banner.hidden = !e || e.level === "NONE";
    if (!banner.hidden) {
      banner.className = "emergency " + e.level;
      banner.textContent = "Emergency " + e.level + (e.reason ? ": " + e.reason : "") +
        " — declared " + time(e.since) + (e.by ? " by " + e.by : "");
    }
  }

  // ---- job detail -------------------------------------------------------------------------

  let detailKey = null;

  function selectJob(jobId) {
    window.ucpDashboard.selectedJob = jobId;
    detailKey = null;
    for (const row of document.querySelectorAll("#jobs tbody tr")) {
      row.classList.toggle("selected", row.dataset.id === jobId);
    }
    loadDetail(jobId);
    openLog(jobId);
  }

  // ---- job output -------------------------------------------------------------------------

  // The most characters of output the page keeps; older ones are dropped as new ones arrive.
  const MAX_LOG_CHARS = 200000;
  let logStream = null;

  /**
   * Follows the selected job's stdout and stderr (GET /api/jobs/{id}/logs as server-sent events,
   * with the dashboard's cookie): while it runs as it is written, then the rest from its result.
   * EventSource resumes a broken stream by itself (Last-Event-ID); "end" closes it for good.
   */
  function openLog(jobId) {
    if (logStream) logStream.close();
    const pre = $("#detail .log-text");
    const state = $("#detail .log-state");
    $("#detail .log").hidden = false;
    pre.replaceChildren();
    state.textContent = "connecting…";
    let attempt = null;
    let chars = 0;
    const append = (kind, text) => {
      const follow = pre.scrollTop + pre.clientHeight >= pre.scrollHeight - 4;
      const last = pre.lastElementChild;
      if (last && last.className === kind) last.firstChild.appendData(text);
      else pre.append(el("span", { class: kind }, text));
      chars += text.length;
      while (chars > MAX_LOG_CHARS && pre.childElementCount > 1) {
        chars -= pre.firstElementChild.textContent.length;
        pre.firstElementChild.remove();
      }
      if (follow) pre.scrollTop = pre.scrollHeight;
    };
    const events = new EventSource("/api/jobs/" + encodeURIComponent(jobId) + "/logs");
    logStream = events;
    events.addEventListener("open", () => { state.textContent = "following"; });
    events.addEventListener("attempt", (event) => {
      const a = JSON.parse(event.data);
      if (a.attempt === attempt) return; // the same attempt again, after a reconnect
      attempt = a.attempt;
      append("attempt", (chars > 0 ? "\n" : "") + "— attempt " + a.attempt + " on " + a.executor + " —\n");
    });
    for (const stream of ["stdout", "stderr"]) {
      events.addEventListener(stream, (event) => append(stream, JSON.parse(event.data).text));
    }
    events.addEventListener("end", (event) => {
      const end = JSON.parse(event.data);
      events.close();
      state.textContent = "ended: " + end.state + (end.exitCode === null ? "" : ", exit " + end.exitCode);
      if (pre.querySelector(".stdout, .stderr") === null) append("attempt", "(no output)");
    });
    events.addEventListener("failure", (event) => {
      events.close();
      state.textContent = "could not be read: " + JSON.parse(event.data).error;
    });
    events.addEventListener("error", () => {
      state.textContent = events.readyState === EventSource.CLOSED ? "not available" : "reconnecting…";
    });
  }

  async function loadDetail(jobId) {
    const body = $("#detail .body");
    $("#detail .hint").hidden = true;
    try {
      const response = await fetch("/api/jobs/" + encodeURIComponent(jobId));
      const job = await response.json();
      if (window.ucpDashboard.selectedJob !== jobId) return;
      body.replaceChildren(response.ok ? renderDetail(job) : el("p", { class: "muted" }, job.error));
    } catch (e) {
      body.replaceChildren(el("p", { class: "muted" }, "Could not load job " + jobId + ": " + e));
    }
  }

  function renderDetail(job) {
    const spec = job.spec || {};
    const facts = el("dl", { class: "facts" },
      el("dt", {}, "job"), el("dd", { class: "mono" }, job.jobId),
      el("dt", {}, "state"), el("dd", { class: "state" }, badge(job.state), job.reason ? " " + job.reason : ""),
      el("dt", {}, "module"), el("dd", {}, spec.module),
      el("dt", {}, "owner broker"), el("dd", {}, job.owner),
      el("dt", {}, "submitted"), el("dd", {}, time(job.submittedAt), job.submittedBy ? " by token " + job.submittedBy : ""),
      el("dt", {}, "stamp"), el("dd", { class: "mono" }, clock(job.stamp)),
      el("dt", {}, "result"), el("dd", {}, job.result
        ? ["attempt " + job.result.attempt + " on " + job.result.executor + ", " +
           (job.result.exitCode === null ? "no exit (" + (job.reason || job.state) + ")" : "exit " + job.result.exitCode) + " ",
           el("a", { href: "/api/jobs/" + encodeURIComponent(job.jobId) + "/result" }, "download zip"),
           el("div", { class: "mono muted" }, "sha256 " + job.result.sha256)]
        : el("span", { class: "muted" }, ["COMPLETED", "FAILED", "CANCELLED"].includes(job.state) ? "none" : "none yet")));

    const attempts = job.attempts || [];
    const start = Math.min(job.submittedAt, ...attempts.map((a) => a.startedAt));
    const end = Math.max(Date.now(), ...attempts.map((a) => a.endedAt || 0));
    const span = Math.max(1, end - start);
    const timeline = el("ol", { class: "timeline" }, attempts.map((a) => {
      const stop = a.endedAt || Date.now();
      const left = (100 * (a.startedAt - start)) / span;
      const width = (100 * (stop - a.startedAt)) / span;
      return el("li", { class: a.outcome, "data-attempt": a.number },
        el("div", {}, el("strong", {}, "Attempt " + a.number), " ", badge(a.outcome),
          " on ", a.executor, el("span", { class: "muted" }, " · dispatched by " + a.broker)),
        el("div", { class: "bar" }, el("span", { style: "left:" + left + "%;width:" + width + "%" })),
        el("div", { class: "muted" }, time(a.startedAt) + (a.endedAt ? " → " + time(a.endedAt) +
          " (" + (a.endedAt - a.startedAt) + " ms)" : " → running")),
        el("div", { class: "mono muted" }, "clock " + clock(a.clock)),
        a.reason ? el("div", {}, a.reason) : null);
    }));
    const unfinished = ["QUEUED", "WAITING", "RUNNING"].includes(job.state);
    const cancel = unfinished
      ? el("p", { class: "actions" }, el("button", { class: "cancel", type: "button" }, "Cancel job"),
          el("span", { class: "cancel-answer muted" }))
      : null;
    if (cancel) cancel.querySelector("button").addEventListener("click", () => cancelJob(job.jobId, cancel));
    return el("div", {}, facts, cancel, el("h3", {}, "Attempt timeline"),
      attempts.length === 0 ? el("p", { class: "muted" }, "Not dispatched yet.") : timeline);
  }

  /**
   * DELETE /api/jobs/{id}: the job ends CANCELLED (a running attempt is stopped); a job that
   * finished first answers 409 with its state, which is shown beside the button.
   */
  async function cancelJob(jobId, actions) {
    const button = actions.querySelector("button");
    const answer = actions.querySelector(".cancel-answer");
    button.disabled = true;
    answer.textContent = " cancelling…";
    try {
      const response = await fetch("/api/jobs/" + encodeURIComponent(jobId), { method: "DELETE" });
      const body = await response.json();
      if (response.ok) {
        answer.textContent = " cancelled";
        if (window.ucpDashboard.selectedJob === jobId) loadDetail(jobId);
      } else {
        answer.textContent = " " + body.error;
        button.disabled = false;
      }
    } catch (e) {
      answer.textContent = " could not cancel: " + e;
      button.disabled = false;
    }
  }

  /** Reloads the open detail view when its job's row changed. */
  function refreshDetail(snapshot) {
    const jobId = window.ucpDashboard.selectedJob;
    const row = jobId && snapshot.jobs.rows.find((j) => j.jobId === jobId);
    const key = row ? [row.state, row.attempts, row.acceptedAttempt].join("|") : null;
    if (row && key !== detailKey) {
      detailKey = key;
      loadDetail(jobId);
    }
  }

  // ---- the stream -------------------------------------------------------------------------

  function render(snapshot) {
    window.ucpDashboard.snapshots++;
    window.ucpDashboard.last = snapshot;
    $("#node").textContent = "served by " + snapshot.node;
    $("#updated").textContent = "updated " + time(snapshot.at);
    renderEmergency(snapshot);
    renderBrokers(snapshot);
    renderExecutors(snapshot);
    renderDatastores(snapshot);
    renderJobs(snapshot);
    renderConflicts(snapshot);
    refreshDetail(snapshot);
  }

  for (const id of ["#job-state", "#job-search"]) {
    $(id).addEventListener("input", () => { if (window.ucpDashboard.last) renderJobs(window.ucpDashboard.last); });
  }

  // One listener for the rows, which are rebuilt with every snapshot.
  $("#jobs tbody").addEventListener("click", (event) => {
    const row = event.target.closest("tr[data-id]");
    if (row) selectJob(row.dataset.id);
  });

  function connect() {
    const status = $("#connection");
    const events = new EventSource("/api/events");
    events.addEventListener("open", () => { status.textContent = "live"; status.className = "connection live"; });
    // EventSource reconnects by itself; the badge says so meanwhile.
    events.addEventListener("error", () => { status.textContent = "reconnecting…"; status.className = "connection connecting"; });
    events.addEventListener("snapshot", (event) => render(JSON.parse(event.data)));
  }

  // A node with client tokens answers 401 until the dashboard has one: it asks once, and keeps
  // the token in a cookie only this site gets (SameSite=Strict), which also carries it on the
  // event stream and on result downloads, where a script cannot add a header.
  async function authorizeThenConnect() {
    for (let asked = 0; ; asked++) {
      let response;
      try {
        response = await fetch("/api/cluster");
      } catch (e) {
        break; // the node is unreachable: the event stream shows "reconnecting" and keeps trying
      }
      if (response.status !== 401) break;
      const token = window.prompt((asked ? "That token was refused. " : "")
        + "This node needs a client token (role read or more): ucp.jar token create --role read --name NAME");
      if (!token) {
        $("#connection").textContent = "no token";
        return;
      }
      document.cookie = "ucp_token=" + encodeURIComponent(token.trim()) + "; path=/; max-age=2592000; SameSite=Strict";
    }
    connect();
  }

  authorizeThenConnect();
})();
