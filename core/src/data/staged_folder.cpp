#include "data/staged_folder.h"

#include "patchout/error.h"

#include <unistd.h>

#include <string>

namespace fs = std::filesystem;

namespace patchout::data {

StagedFolder::StagedFolder(const fs::path& out, bool overwrite) : m_out(fs::absolute(out).lexically_normal()) {
    std::error_code ec;
    if (fs::exists(out, ec) && !fs::is_directory(out, ec))
        throw Error(ErrorCode::InvalidArgument, "the output exists and is not a folder", out.string());
    if (fs::is_directory(out, ec) && !fs::is_empty(out, ec) && !overwrite)
        throw Error(ErrorCode::InvalidArgument,
                    "the output folder is not empty (choose another one or ask to overwrite)", out.string());
    m_staging = m_out.parent_path() / ("." + m_out.filename().string() + ".partial-" + std::to_string(::getpid()));
    fs::remove_all(m_staging, ec);
    fs::create_directories(m_staging, ec);
    if (ec)
        throw Error(ErrorCode::Io, "cannot create folder: " + ec.message(), m_staging.string());
}

StagedFolder::~StagedFolder() {
    std::error_code ec;
    if (!m_committed)
        fs::remove_all(m_staging, ec);
}

void StagedFolder::commit() {
    std::error_code ec;
    const fs::path old = m_out.parent_path() / ("." + m_out.filename().string() + ".old-" + std::to_string(::getpid()));
    const bool hadOld = fs::exists(m_out, ec);
    if (hadOld) {
        fs::remove_all(old, ec);
        fs::rename(m_out, old, ec);
        if (ec)
            throw Error(ErrorCode::Io, "cannot move the old folder aside: " + ec.message(), m_out.string());
    }
    fs::rename(m_staging, m_out, ec);
    if (ec) {
        const std::string why = ec.message();
        if (hadOld)
            fs::rename(old, m_out, ec);
        throw Error(ErrorCode::Io, "cannot move the new dataset into place: " + why, m_out.string());
    }
    m_committed = true;
    if (hadOld)
        fs::remove_all(old, ec);
}

}  // namespace patchout::data
