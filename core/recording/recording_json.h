// Reading and writing recordings as JSON (nlohmann_json), with located errors.
#pragma once

#include <string>
#include <string_view>

#include "core/recording/recording.h"

namespace mlscope::recording {

/// Parses a recording. Throws mlscope::Error: malformed JSON → file:line:col; a key missing,
/// of the wrong type, or an unknown device / compute-unit name → the JSON pointer of the
/// offending value ("/plan/3/preferred").
Recording parse_recording_json(std::string_view text, const std::string& file);
/// Reads and parses a file (size checked before reading; recordings are small).
Recording load_recording_file(const std::string& path);
/// Serializes (pretty-printed, keys in a stable order).
std::string write_recording_json(const Recording& r);

}  // namespace mlscope::recording
