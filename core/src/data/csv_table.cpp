#include "data/csv_table.h"

#include "patchout/error.h"

#include <algorithm>
#include <cctype>
#include <fstream>

namespace patchout::data {

std::string trim(const std::string& s) {
    std::size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b])))
        ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1])))
        --e;
    return s.substr(b, e - b);
}

std::string toLower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

std::vector<std::string> splitOn(const std::string& s, char separator) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t end = s.find(separator, start);
        if (end == std::string::npos)
            end = s.size();
        std::string piece = trim(s.substr(start, end - start));
        if (!piece.empty())
            out.push_back(std::move(piece));
        start = end + 1;
    }
    return out;
}

bool splitCsvLine(const std::string& line, std::vector<std::string>& fields) {
    fields.clear();
    std::string field;
    bool quoted = false;    // inside quotes
    bool wasQuoted = false; // this field had quotes: keep its inner blanks
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quoted) {
            if (c == '"') {
                if (i + 1 < line.size() && line[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    quoted = false;
                }
            } else {
                field += c;
            }
        } else if (c == '"' && trim(field).empty()) {
            quoted = true;
            wasQuoted = true;
            field.clear();
        } else if (c == ',') {
            fields.push_back(wasQuoted ? field : trim(field));
            field.clear();
            wasQuoted = false;
        } else if (!(wasQuoted && std::isspace(static_cast<unsigned char>(c)))) {
            field += c;
        }
    }
    fields.push_back(wasQuoted ? field : trim(field));
    return !quoted;
}

namespace {

std::ifstream openText(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in)
        throw Error(ErrorCode::FileNotFound, "cannot open metadata file", path.string());
    return in;
}

bool nextLine(std::ifstream& in, std::string& line, int& number) {
    if (!std::getline(in, line))
        return false;
    ++number;
    if (number == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0)
        line.erase(0, 3);
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return true;
}

}  // namespace

CsvTable readCsv(const std::filesystem::path& path, bool skip_comments) {
    auto in = openText(path);
    CsvTable table;
    std::string line;
    int number = 0;
    while (nextLine(in, line, number)) {
        const std::string t = trim(line);
        if (t.empty() || (skip_comments && t[0] == '#'))
            continue;
        CsvRow row;
        row.line = number;
        if (!splitCsvLine(line, row.fields))
            table.unclosed_quote_lines.push_back(number);
        table.rows.push_back(std::move(row));
    }
    return table;
}

std::vector<CsvRow> readLines(const std::filesystem::path& path) {
    auto in = openText(path);
    std::vector<CsvRow> rows;
    std::string line;
    int number = 0;
    while (nextLine(in, line, number)) {
        std::string t = trim(line);
        if (!t.empty())
            rows.push_back({number, {std::move(t)}});
    }
    return rows;
}

}  // namespace patchout::data
