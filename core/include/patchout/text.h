// Text in and out of core: the one CSV reader and writer (RFC 4180), trimming, durations for
// people, and the class-label files models and datasets name their classes with. Dataset
// metadata, predictions.csv, the report's tables, the CLI and the GUI all go through here, so
// quoting, line numbers and error messages are the same everywhere. All functions are thread-safe.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

namespace patchout {

// ---- CSV -----------------------------------------------------------------------------------------

struct CsvRow {
    int line = 0;                     // 1-based line the row starts on
    std::vector<std::string> fields;  // unquoted: "" inside quotes is one '"'
    bool unclosed_quote = false;      // only with CsvReadOptions::one_row_per_line
};

struct CsvReadOptions {
    // Blanks around unquoted fields are dropped, and blanks between a field's closing quote and
    // the next comma (AudioSet writes ", " between fields). Quoted content is always kept as is.
    bool trim = false;
    // Lines whose first non-blank character is '#' are left out (AudioSet's segment files).
    bool skip_comments = false;
    // Dataset metadata has one row per line: a quote still open at the end of a line marks that
    // row unclosed_quote and reading goes on at the next line, so one bad row cannot swallow the
    // rest of the file. Off (RFC 4180), a quoted field may span lines, and a quote still open at
    // the end of the text is Error(BadFormat) with "source:line" of the row it opened in.
    bool one_row_per_line = false;
};

// Rows of CSV text: fields split on commas, quoted fields may hold commas, doubled quotes and line
// breaks; rows end at LF, CRLF or CR; a UTF-8 byte-order mark is skipped; blank lines are left
// out. `source` names the text in errors (usually its file).
std::vector<CsvRow> parseCsv(std::string_view text, const std::string& source,
                             const CsvReadOptions& options = {});
// The same for a file: Error(FileNotFound) naming it when it cannot be opened.
std::vector<CsvRow> readCsv(const std::filesystem::path& path, const CsvReadOptions& options = {});

// Index of the header field that is `name` (case and surrounding blanks ignored); -1 when none.
int csvColumn(const std::vector<std::string>& header, std::string_view name);

// A field as CSV writes it: quoted, quotes doubled, when it holds a comma, quote or line break.
std::string csvQuote(std::string_view field);
// One row: the fields quoted as needed, joined by commas, ended by '\n'.
std::string csvRow(const std::vector<std::string>& fields);

// ---- plain text ----------------------------------------------------------------------------------

// Without leading and trailing white space.
std::string trim(std::string_view s);
// ASCII letters lowered; other bytes (UTF-8 included) as they are.
std::string toLower(std::string s);
// Pieces between separators, trimmed; empty pieces are dropped.
std::vector<std::string> splitOn(std::string_view s, char separator);

struct TextLine {
    int line = 0;      // 1-based
    std::string text;  // trimmed, never empty
};
// The non-blank lines of a text file (a list of classes, a list of clips). Error(FileNotFound).
std::vector<TextLine> readLines(const std::filesystem::path& path);

// A duration for people: "1:02:03" from an hour on, "02:03" below; "--:--" when unknown (not
// finite or negative). Seconds are rounded to the nearest.
std::string formatDuration(double seconds);

// ---- class labels --------------------------------------------------------------------------------

// One row of AudioSet's class_labels_indices.csv.
struct ClassLabel {
    int index = 0;
    std::string mid;           // Freebase id, "/m/09x0r"
    std::string display_name;  // "Male speech, man speaking"
};
// Reads class_labels_indices.csv: header index,mid,display_name (in any order), then one class
// per row with indices 0, 1, 2, ... in order. Error(BadFormat) with "file:line" for a missing
// column, a row of another width, an index out of order, an empty mid or no classes at all;
// Error(FileNotFound) when the file cannot be opened. An empty display name becomes the mid.
std::vector<ClassLabel> readClassLabels(const std::filesystem::path& path);
// Class names from a file, in index order: class_labels_indices.csv (recognised by its header)
// gives the display names, any other file one name per non-blank line. Error(BadFormat) when it
// names no class.
std::vector<std::string> readClassNames(const std::filesystem::path& path);

}  // namespace patchout
