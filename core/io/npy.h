// NumPy .npy / .npz files: the exact way to feed inputs and to store outputs and references.
//
// .npy (format versions 1.0, 2.0, 3.0): little/big-endian f2/f4/f8, i1..i8, u1..u8, b1 and <U
// (UTF-32, stored here as UTF-8 strings), C or Fortran order. .npz is a zip of .npy members,
// stored or deflated (zlib). Every size is checked against the real file before allocating;
// malformed files raise mlscope::Error with the file and byte offset.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "core/exec/tensor.h"

namespace mlscope::io {

/// Parses .npy bytes. `file` names the source in errors (for .npz: "a.npz:member.npy").
exec::Tensor parse_npy(const uint8_t* data, size_t size, const std::string& file);
exec::Tensor read_npy(const std::string& path);
/// Members of an .npz, keyed by name without the ".npy" suffix.
std::map<std::string, exec::Tensor> read_npz(const std::string& path);

/// Serializes a tensor as .npy version 1.0 (dtype kept: fp16 as <f2, bool as |b1, strings as <U).
std::vector<uint8_t> npy_bytes(const exec::Tensor& t);
void write_npy(const std::string& path, const exec::Tensor& t);
/// Writes an uncompressed (stored) .npz with one member per entry ("<name>.npy").
void write_npz(const std::string& path, const std::map<std::string, exec::Tensor>& members);

}  // namespace mlscope::io
