#include "patchout/text.h"

#include "patchout/error.h"
#include "patchout/files.h"

#include <cctype>
#include <charconv>
#include <cmath>
#include <cstdio>

namespace patchout {

namespace {

bool isBlank(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

bool allBlank(std::string_view s) {
    for (char c : s)
        if (!isBlank(c))
            return false;
    return true;
}

}  // namespace

// ---- CSV -----------------------------------------------------------------------------------------

std::vector<CsvRow> parseCsv(std::string_view text, const std::string& source,
                             const CsvReadOptions& options) {
    std::vector<CsvRow> rows;
    std::size_t i = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
    int line = 1;
    CsvRow row;
    row.line = 1;
    std::string field;
    bool inQuotes = false;
    bool quoted = false;      // this field opened with a quote: its content is kept as is
    bool rowQuoted = false;   // some field of this row was quoted: the row is not blank
    bool comment = false;     // the rest of this line is a comment
    auto endField = [&] {
        row.fields.push_back(quoted || !options.trim ? std::move(field) : trim(field));
        field.clear();
        quoted = false;
    };
    auto endRow = [&] {
        const bool blank = !rowQuoted && row.fields.size() == 1 && allBlank(row.fields[0]);
        if (!blank)
            rows.push_back(std::move(row));
        row = CsvRow{};
        row.line = line + 1;
        rowQuoted = comment = false;
    };
    // A line break at text[i] ('\n', '\r' or "\r\n"): leaves i on its last character.
    auto skipLineBreak = [&] {
        if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
            ++i;
    };
    for (; i < text.size(); ++i) {
        const char c = text[i];
        const bool lineBreak = c == '\n' || c == '\r';
        if (inQuotes) {
            if (c == '"') {
                if (i + 1 < text.size() && text[i + 1] == '"') {
                    field += '"';
                    ++i;
                } else {
                    inQuotes = false;
                }
            } else if (lineBreak && options.one_row_per_line) {
                inQuotes = false;
                row.unclosed_quote = true;
                endField();
                endRow();
                skipLineBreak();
                ++line;
            } else {
                field += c;
                if (lineBreak) {
                    if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')
                        field += text[++i];
                    ++line;
                }
            }
            continue;
        }
        if (lineBreak) {
            endField();
            endRow();
            skipLineBreak();
            ++line;
        } else if (comment) {
            continue;
        } else if (c == '#' && options.skip_comments && row.fields.empty() && !quoted &&
                   allBlank(field)) {
            comment = true;
            field.clear();
        } else if (c == '"' && !quoted && (field.empty() || (options.trim && allBlank(field)))) {
            inQuotes = quoted = rowQuoted = true;
            field.clear();
        } else if (c == ',') {
            endField();
        } else if (!(quoted && options.trim && isBlank(c))) {
            field += c;
        }
    }
    if (inQuotes) {
        if (!options.one_row_per_line)
            throw Error(ErrorCode::BadFormat, "a quoted field is not closed",
                        source + ":" + std::to_string(row.line));
        row.unclosed_quote = true;
    }
    if (!comment && (quoted || !field.empty() || !row.fields.empty())) {
        endField();
        endRow();
    }
    return rows;
}

std::vector<CsvRow> readCsv(const std::filesystem::path& path, const CsvReadOptions& options) {
    return parseCsv(readTextFile(path), path.string(), options);
}

int csvColumn(const std::vector<std::string>& header, std::string_view name) {
    const std::string wanted = toLower(trim(name));
    for (std::size_t c = 0; c < header.size(); ++c)
        if (toLower(trim(header[c])) == wanted)
            return static_cast<int>(c);
    return -1;
}

std::string csvQuote(std::string_view field) {
    if (field.find_first_of(",\"\n\r") == std::string_view::npos)
        return std::string(field);
    std::string out = "\"";
    for (char c : field) {
        if (c == '"')
            out += '"';
        out += c;
    }
    return out + "\"";
}

std::string csvRow(const std::vector<std::string>& fields) {
    std::string out;
    for (std::size_t i = 0; i < fields.size(); ++i) {
        if (i > 0)
            out += ',';
        out += csvQuote(fields[i]);
    }
    return out + "\n";
}

// ---- plain text ----------------------------------------------------------------------------------

std::string trim(std::string_view s) {
    std::size_t b = 0, e = s.size();
    while (b < e && isBlank(s[b]))
        ++b;
    while (e > b && isBlank(s[e - 1]))
        --e;
    return std::string(s.substr(b, e - b));
}

std::string toLower(std::string s) {
    for (auto& c : s)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return s;
}

std::vector<std::string> splitOn(std::string_view s, char separator) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= s.size()) {
        std::size_t end = s.find(separator, start);
        if (end == std::string_view::npos)
            end = s.size();
        std::string piece = trim(s.substr(start, end - start));
        if (!piece.empty())
            out.push_back(std::move(piece));
        start = end + 1;
    }
    return out;
}

std::vector<TextLine> readLines(const std::filesystem::path& path) {
    const std::string text = readTextFile(path);
    std::vector<TextLine> lines;
    std::size_t start = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;
    int number = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        ++number;
        std::string t = trim(std::string_view(text).substr(start, end - start));
        if (!t.empty())
            lines.push_back({number, std::move(t)});
        start = end + 1;
    }
    return lines;
}

std::string formatDuration(double seconds) {
    if (!std::isfinite(seconds) || seconds < 0)
        return "--:--";
    const long long s = std::llround(seconds);
    char buf[48];
    if (s >= 3600)
        std::snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", s / 3600, s / 60 % 60, s % 60);
    else
        std::snprintf(buf, sizeof buf, "%02lld:%02lld", s / 60, s % 60);
    return buf;
}

// ---- class labels --------------------------------------------------------------------------------

namespace {

const char* const kClassLabelColumns[] = {"index", "mid", "display_name"};

bool isClassLabelsHeader(const std::vector<std::string>& header) {
    for (const char* name : kClassLabelColumns)
        if (csvColumn(header, name) < 0)
            return false;
    return true;
}

std::vector<ClassLabel> classLabelsOf(const std::vector<CsvRow>& rows, const std::string& source) {
    if (rows.empty())
        throw Error(ErrorCode::BadFormat, "the file is empty: expected index,mid,display_name",
                    source);
    const auto& header = rows.front().fields;
    std::vector<std::size_t> cols;
    for (const char* name : kClassLabelColumns) {
        const int c = csvColumn(header, name);
        if (c < 0)
            throw Error(ErrorCode::BadFormat,
                        std::string("the header has no '") + name +
                            "' column (index,mid,display_name)",
                        source + ":" + std::to_string(rows.front().line));
        cols.push_back(static_cast<std::size_t>(c));
    }
    std::vector<ClassLabel> labels;
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& f = rows[r].fields;
        const std::string where = source + ":" + std::to_string(rows[r].line);
        if (f.size() != header.size())
            throw Error(ErrorCode::BadFormat,
                        "expected index,mid,display_name (" + std::to_string(header.size()) +
                            " fields), found " + std::to_string(f.size()) + " fields",
                        where);
        ClassLabel label;
        const std::string index = trim(f[cols[0]]);
        const char* last = index.data() + index.size();
        const auto [end, ec] = std::from_chars(index.data(), last, label.index);
        const int expected = static_cast<int>(labels.size());
        if (index.empty() || ec != std::errc() || end != last || label.index != expected)
            throw Error(ErrorCode::BadFormat,
                        "expected index " + std::to_string(expected) + ", found '" + index + "'",
                        where);
        label.mid = trim(f[cols[1]]);
        if (label.mid.empty())
            throw Error(ErrorCode::BadFormat, "class " + index + " has no mid", where);
        label.display_name = f[cols[2]].empty() ? label.mid : f[cols[2]];
        labels.push_back(std::move(label));
    }
    if (labels.empty())
        throw Error(ErrorCode::BadFormat, "no classes after the header", source);
    return labels;
}

}  // namespace

std::vector<ClassLabel> readClassLabels(const std::filesystem::path& path) {
    return classLabelsOf(readCsv(path, {.trim = true}), path.string());
}

std::vector<std::string> readClassNames(const std::filesystem::path& path) {
    const std::string text = readTextFile(path);
    std::vector<std::string> names;
    // Only the first row decides the format: a list of names may hold commas and quotes.
    const auto firstLine = text.substr(0, text.find('\n'));
    const auto head = parseCsv(firstLine, path.string(), {.trim = true, .one_row_per_line = true});
    if (!head.empty() && isClassLabelsHeader(head.front().fields)) {
        const auto rows = parseCsv(text, path.string(), {.trim = true});
        for (auto& label : classLabelsOf(rows, path.string()))
            names.push_back(std::move(label.display_name));
        return names;
    }
    for (auto& line : readLines(path))
        names.push_back(std::move(line.text));
    if (names.empty())
        throw Error(ErrorCode::BadFormat, "no class names in the file", path.string());
    return names;
}

}  // namespace patchout
