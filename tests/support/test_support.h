// Helpers shared by the core tests: locating ../shared, reading the reference fixtures, scratch
// folders, and comparisons with the largest deviation in the failure message.
#pragma once

#include "patchout/error.h"
#include "patchout_source_paths.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <vector>

namespace patchout::test {

// `f` must throw an Error of `code` whose message or context mentions `needle`.
inline void expectError(const std::function<void()>& f, ErrorCode code, const std::string& needle) {
    try {
        f();
        FAIL() << "no error; expected one mentioning '" << needle << "'";
    } catch (const Error& e) {
        EXPECT_EQ(e.code(), code) << e.what();
        const std::string all = std::string(e.what()) + " " + e.context();
        EXPECT_NE(all.find(needle), std::string::npos) << all;
    }
}

inline std::filesystem::path sharedDir() { return PATCHOUT_SHARED_DIR; }
inline std::filesystem::path fixturesDir() { return sharedDir() / "fixtures" / "passt"; }
inline std::filesystem::path fsddDir() { return sharedDir() / "data" / "fsdd"; }

// Reads a raw little-endian float32 fixture (see ../shared/fixtures/passt/README.md).
inline std::vector<float> readF32(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw std::runtime_error("cannot read fixture " + path.string());
    in.seekg(0, std::ios::end);
    const auto bytes = static_cast<std::size_t>(in.tellg());
    in.seekg(0);
    std::vector<float> v(bytes / sizeof(float));
    in.read(reinterpret_cast<char*>(v.data()), static_cast<std::streamsize>(bytes));
    return v;
}

#define PATCHOUT_REQUIRE_FIXTURES()                                                               \
    do {                                                                                          \
        if (!std::filesystem::exists(::patchout::test::fixturesDir()))                            \
            GTEST_SKIP() << "reference fixtures absent: " << ::patchout::test::fixturesDir();     \
    } while (0)

#define PATCHOUT_REQUIRE_FSDD()                                                                   \
    do {                                                                                          \
        if (!std::filesystem::exists(::patchout::test::fsddDir() / "labels.csv"))                 \
            GTEST_SKIP() << "FSDD absent (expected at " << ::patchout::test::fsddDir() << ")";    \
    } while (0)

struct Deviation {
    double max_abs = 0;
    std::size_t index = 0;
};

inline Deviation maxAbsDiff(const float* a, const float* b, std::size_t n) {
    Deviation d;
    for (std::size_t i = 0; i < n; ++i) {
        const double diff = std::abs(static_cast<double>(a[i]) - b[i]);
        if (!(diff <= d.max_abs)) {  // also catches NaN
            d.max_abs = std::isnan(diff) ? INFINITY : diff;
            d.index = i;
        }
    }
    return d;
}

inline Deviation maxAbsDiff(const std::vector<float>& a, const std::vector<float>& b) {
    EXPECT_EQ(a.size(), b.size());
    return maxAbsDiff(a.data(), b.data(), std::min(a.size(), b.size()));
}

// A fresh scratch folder per test, removed afterwards.
class TempDir {
public:
    TempDir() {
        const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
        std::string name = info ? std::string(info->test_suite_name()) + "." + info->name() : "test";
        for (auto& c : name)
            if (c == '/')
                c = '_';
        m_path = std::filesystem::temp_directory_path() /
                 ("patchout-" + name + "-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
                  "-" + std::to_string(reinterpret_cast<std::uintptr_t>(this)));
        std::filesystem::remove_all(m_path);
        std::filesystem::create_directories(m_path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(m_path, ec);
    }
    const std::filesystem::path& path() const { return m_path; }
    std::filesystem::path operator/(const std::string& name) const { return m_path / name; }

private:
    std::filesystem::path m_path;
};

}  // namespace patchout::test
