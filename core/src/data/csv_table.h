// A small CSV reader for dataset metadata: quoted fields (with "" escapes and commas inside),
// surrounding blanks trimmed (AudioSet writes ", " between fields), CRLF and a UTF-8 BOM tolerated,
// and the 1-based line number of every row kept for the problem report.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace patchout::data {

struct CsvRow {
    int line = 0;
    std::vector<std::string> fields;
};

// Splits one line into fields. Returns false when a quote is left open.
bool splitCsvLine(const std::string& line, std::vector<std::string>& fields);

struct CsvTable {
    std::vector<CsvRow> rows;  // blank lines and, when asked, '#' comment lines left out
    std::vector<int> unclosed_quote_lines;
};

// Throws Error(FileNotFound) when the file cannot be opened.
CsvTable readCsv(const std::filesystem::path& path, bool skip_comments = false);

// Lines of a text file (trimmed, 1-based numbers, blank lines left out).
std::vector<CsvRow> readLines(const std::filesystem::path& path);

std::string trim(const std::string& s);
std::string toLower(std::string s);
std::vector<std::string> splitOn(const std::string& s, char separator);  // trimmed, empties dropped

}  // namespace patchout::data
