#!/usr/bin/env bash
# Rebuilds every src/*.c into ./<name>.wasm (WASI preview 1, wasm32-wasi) with clang,
# and every src/*.wat (modules C cannot express: several memories, huge tables) with
# wat2wasm from wabt.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"

if ! command -v clang >/dev/null 2>&1; then
    echo "clang not found. Install the toolchain with:" >&2
    echo "  apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt" >&2
    exit 1
fi

# Locate the wasi-libc sysroot (Debian/Ubuntu package installs under /usr).
SYSROOT="${WASI_SYSROOT:-}"
if [ -z "$SYSROOT" ]; then
    for candidate in /usr /usr/share/wasi-sysroot /opt/wasi-sdk/share/wasi-sysroot; do
        if [ -f "$candidate/lib/wasm32-wasi/libc.a" ]; then
            SYSROOT="$candidate"
            break
        fi
    done
fi
if [ -z "$SYSROOT" ]; then
    echo "wasi-libc sysroot not found; set WASI_SYSROOT or run:" >&2
    echo "  apt-get install -y clang lld wasi-libc libclang-rt-14-dev-wasm32 wabt" >&2
    exit 1
fi

shopt -s nullglob
sources=(src/*.c)
texts=(src/*.wat)
if [ ${#sources[@]} -eq 0 ] && [ ${#texts[@]} -eq 0 ]; then
    echo "no sources in src/" >&2
    exit 1
fi

for src in "${sources[@]}"; do
    name="$(basename "$src" .c)"
    out="$name.wasm"
    echo "clang $src -> $out"
    clang --target=wasm32-wasi --sysroot="$SYSROOT" -O2 -Wall -Wextra \
        -Wl,--strip-all -o "$out" "$src"
    chmod 644 "$out"
done

if [ ${#texts[@]} -gt 0 ]; then
    if ! command -v wat2wasm >/dev/null 2>&1; then
        echo "wat2wasm not found. Install it with: apt-get install -y wabt" >&2
        exit 1
    fi
    for src in "${texts[@]}"; do
        name="$(basename "$src" .wat)"
        out="$name.wasm"
        echo "wat2wasm $src -> $out"
        wat2wasm --enable-multi-memory -o "$out" "$src"
        chmod 644 "$out"
    done
fi

echo "done:"
ls -l ./*.wasm
