#!/usr/bin/env bash
# Installs everything mlscope needs to build, test and run. Idempotent: installs only what is
# missing. Debian/Ubuntu: apt-get by package name. macOS: Homebrew.
set -euo pipefail

DEBIAN_PACKAGES=(
  build-essential cmake ninja-build pkg-config git
  libprotobuf-dev protobuf-compiler          # the Core ML schema subset
  nlohmann-json3-dev                          # Manifest.json, CLI --json, recordings
  libimgui-dev libglfw3-dev libgl-dev libstb-dev   # GUI (Debian's imgui has the GLFW/GL3 backends)
  libdnnl-dev                                 # oneDNN sgemm for conv/linear/matmul
  ocl-icd-opencl-dev                          # Debian's dnnl CMake package requires OpenCL (its GPU runtime)
  zlib1g-dev                                  # deflated .npz members (core/exec/npy)
  libgtest-dev libgmock-dev libbenchmark-dev  # tests and benchmarks
  xvfb xauth libgl1-mesa-dri                  # headless GUI tests (software OpenGL)
  fonts-dejavu-core                           # GUI fonts (crisp at any DPI)
  python3                                     # recorder syntax check
  libssl-dev                                  # SHA-256 of model files (recordings)
)
BREW_PACKAGES=(cmake ninja pkg-config protobuf nlohmann-json glfw onednn googletest google-benchmark openssl@3)

if [[ "$(uname -s)" == "Darwin" ]]; then
  command -v brew >/dev/null || { echo "setup: Homebrew is required on macOS (https://brew.sh)" >&2; exit 1; }
  missing=()
  for p in "${BREW_PACKAGES[@]}"; do brew list --formula "$p" >/dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]})) && brew install "${missing[@]}"
  # Dear ImGui and stb have no Homebrew formula; on macOS they are taken from third_party/ (see README).
  exit 0
fi

command -v apt-get >/dev/null || { echo "setup: needs apt-get (Debian/Ubuntu) or Homebrew (macOS)" >&2; exit 1; }
missing=()
for p in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  SUDO=""
  [[ $(id -u) -ne 0 ]] && SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi
echo "setup: all dependencies present"
