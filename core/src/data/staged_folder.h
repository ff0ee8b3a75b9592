// A generated dataset folder written whole or not at all: the files go into a hidden sibling
// ("<parent>/.<name>.partial-<pid>") that commit() renames into place (an old folder is moved
// aside first and removed last); without commit() the staging folder is removed. Internal to
// patchout_core (synth-words, synth-instruments).
#pragma once

#include <filesystem>

namespace patchout::data {

class StagedFolder {
public:
    // Error(InvalidArgument) when `out` is a file, or a non-empty folder without `overwrite`;
    // Error(Io) when the staging folder cannot be made.
    StagedFolder(const std::filesystem::path& out, bool overwrite);
    ~StagedFolder();
    StagedFolder(const StagedFolder&) = delete;
    StagedFolder& operator=(const StagedFolder&) = delete;

    const std::filesystem::path& dir() const noexcept { return m_staging; }  // write here
    void commit();  // Error(Io) when the folder cannot be moved into place (the old one stays)

private:
    std::filesystem::path m_out, m_staging;
    bool m_committed = false;
};

}  // namespace patchout::data
