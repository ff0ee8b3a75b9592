// CSV field quoting shared by the evaluation writers (predictions.csv, the report's tables):
// a field with a comma, quote or line break is quoted, its quotes doubled. Internal to core/eval.
#pragma once

#include <string>

namespace patchout::eval {

inline std::string csvQuote(const std::string& s) {
    if (s.find_first_of(",\"\n\r") == std::string::npos)
        return s;
    std::string out = "\"";
    for (char ch : s) {
        if (ch == '"')
            out += '"';
        out += ch;
    }
    return out + "\"";
}

}  // namespace patchout::eval
