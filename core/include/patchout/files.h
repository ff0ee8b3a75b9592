// Atomic file writing: every report, checkpoint and audio file the project writes goes through
// writeFileAtomically, so a crash, a full disk or a cancelled job never leaves a half-written file
// where a good one was.
#pragma once

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace patchout {

// Writes to a temporary file in the same folder (created if missing), flushes it to disk, then
// renames it over `path`. If `write` throws or the disk fills up, `path` is untouched and the
// temporary file is removed; the error is rethrown as patchout::Error(Io) naming `path`.
void writeFileAtomically(const std::filesystem::path& path,
                         const std::function<void(std::ostream&)>& write);
void writeTextAtomically(const std::filesystem::path& path, std::string_view text);

// Same, for writers that need a file name (libsndfile, LibTorch): `write` receives the temporary
// path and must create the file there.
void writePathAtomically(const std::filesystem::path& path,
                         const std::function<void(const std::filesystem::path& tmp)>& write);

// The whole file as bytes. Error(FileNotFound) naming `path` when it cannot be opened,
// Error(Io) when reading fails part-way.
std::string readTextFile(const std::filesystem::path& path);

}  // namespace patchout
