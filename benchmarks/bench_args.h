// Command lines of the benchmark programs: `--name value` pairs, --help, and comma lists. Each
// program keeps its own usage text and options; this is only the reading.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <initializer_list>
#include <set>
#include <sstream>
#include <string>

namespace patchout::bench {

// "a,b,c" -> {a, b, c} (empty items dropped).
inline std::set<std::string> listOf(const std::string& text) {
    std::set<std::string> out;
    std::stringstream in(text);
    std::string item;
    while (std::getline(in, item, ','))
        if (!item.empty())
            out.insert(item);
    return out;
}

// Reads argv: --help / -h prints `usage` and exits 0; every other argument goes to
// `option(name, value)`, where value() takes the next argument (exit 2 when there is none);
// `option` returns false for an unknown name (usage, exit 2).
inline void readArgs(int argc, char** argv, const char* usage,
                     const std::function<bool(const std::string& name, const std::function<std::string()>& value)>& option) {
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--help" || arg == "-h") {
            std::printf("%s", usage);
            std::exit(0);
        }
        auto value = [&]() -> std::string {
            if (i + 1 >= argc) {
                std::fprintf(stderr, "%s needs a value\n%s", arg.c_str(), usage);
                std::exit(2);
            }
            return argv[++i];
        };
        if (!option(arg, value)) {
            std::fprintf(stderr, "unknown argument %s\n%s", arg.c_str(), usage);
            std::exit(2);
        }
    }
}

// For programs that read `--name value` pairs themselves: --help / -h prints `usage` and exits 0;
// a name not in `names`, or a name without its value, prints usage and exits 2. With no names
// (positional arguments), only --help is looked for.
inline void checkArgs(int argc, char** argv, const char* usage, std::initializer_list<const char*> names = {}) {
    for (int i = 1; i < argc; ++i)
        if (!std::strcmp(argv[i], "--help") || !std::strcmp(argv[i], "-h")) {
            std::printf("%s", usage);
            std::exit(0);
        }
    if (names.size() == 0)
        return;
    for (int i = 1; i < argc; i += 2) {
        bool known = false;
        for (const char* n : names)
            known = known || !std::strcmp(argv[i], n);
        if (!known || i + 1 >= argc) {
            std::fprintf(stderr, "%s %s\n%s", known ? "no value for" : "unknown argument", argv[i], usage);
            std::exit(2);
        }
    }
}

}  // namespace patchout::bench
