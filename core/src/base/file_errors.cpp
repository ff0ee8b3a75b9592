#include "patchout/file_errors.h"

#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/text.h"

namespace fs = std::filesystem;

namespace patchout {

fs::path errorsFileFor(const fs::path& results) { return results.parent_path() / "errors.csv"; }

void writeFileErrors(const fs::path& path, const std::vector<FileError>& errors) {
    std::string text = csvRow({"path", "reason"});
    for (const FileError& e : errors)
        text += csvRow({e.path.string(), e.reason});
    writeTextAtomically(path, text);
}

std::vector<FileError> readFileErrors(const fs::path& path) {
    const std::vector<CsvRow> rows = readCsv(path);
    if (rows.empty() || csvColumn(rows.front().fields, "path") != 0 || csvColumn(rows.front().fields, "reason") != 1)
        throw Error(ErrorCode::BadFormat, "not an errors file: the header must be path,reason", path.string());
    std::vector<FileError> errors;
    for (std::size_t i = 1; i < rows.size(); ++i) {
        if (rows[i].fields.size() != 2)
            throw Error(ErrorCode::BadFormat, "line " + std::to_string(rows[i].line) + " has " +
                                                  std::to_string(rows[i].fields.size()) + " fields, not 2",
                        path.string());
        errors.push_back({rows[i].fields[0], rows[i].fields[1]});
    }
    return errors;
}

}  // namespace patchout
