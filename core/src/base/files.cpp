#include "patchout/error.h"
#include "patchout/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <random>
#include <sstream>

namespace fs = std::filesystem;

namespace patchout {
namespace {

fs::path temporarySibling(const fs::path& path) {
    static std::atomic<unsigned> counter{0};
    std::random_device rd;
    return path.parent_path() / (".tmp-" + path.filename().string() + "-" +
                                 std::to_string(::getpid()) + "-" + std::to_string(counter++) +
                                 "-" + std::to_string(rd() % 100000));
}

void syncFile(const fs::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY);
    if (fd < 0)
        throw Error(ErrorCode::Io, std::string("cannot reopen for sync: ") + std::strerror(errno),
                    path.string());
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0)
        throw Error(ErrorCode::Io, std::string("cannot flush to disk: ") + std::strerror(err),
                    path.string());
}

}  // namespace

void writePathAtomically(const fs::path& path, const std::function<void(const fs::path&)>& write) {
    std::error_code ec;
    if (!path.parent_path().empty()) {
        fs::create_directories(path.parent_path(), ec);
        if (ec)
            throw Error(ErrorCode::Io, "cannot create folder: " + ec.message(),
                        path.parent_path().string());
    }
    const fs::path tmp = temporarySibling(path);
    try {
        write(tmp);
        syncFile(tmp);
        fs::rename(tmp, path, ec);
        if (ec)
            throw Error(ErrorCode::Io, "cannot replace file: " + ec.message(), path.string());
    } catch (const Error& e) {
        fs::remove(tmp, ec);
        if (e.context() == path.string())
            throw;
        throw Error(e.code(), e.what(), path.string());
    } catch (const std::exception& e) {
        fs::remove(tmp, ec);
        throw Error(ErrorCode::Io, e.what(), path.string());
    }
}

void writeFileAtomically(const fs::path& path, const std::function<void(std::ostream&)>& write) {
    writePathAtomically(path, [&](const fs::path& tmp) {
        std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
        if (!out)
            throw Error(ErrorCode::Io, std::string("cannot create file: ") + std::strerror(errno),
                        path.string());
        write(out);
        out.flush();
        if (!out)
            throw Error(ErrorCode::Io, "write failed (disk full?)", path.string());
        out.close();
        if (out.fail())
            throw Error(ErrorCode::Io, "closing failed (disk full?)", path.string());
    });
}

void writeTextAtomically(const fs::path& path, std::string_view text) {
    writeFileAtomically(path, [&](std::ostream& out) {
        out.write(text.data(), static_cast<std::streamsize>(text.size()));
    });
}

std::string readTextFile(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::FileNotFound, "cannot open the file", path.string());
    std::ostringstream text;
    text << in.rdbuf();
    if (in.bad())
        throw Error(ErrorCode::Io, "cannot read the file", path.string());
    return text.str();
}

}  // namespace patchout
