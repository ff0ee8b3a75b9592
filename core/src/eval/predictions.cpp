#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/report.h"
#include "patchout/text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <map>
#include <sstream>

namespace patchout {

namespace {

double parseNumber(const std::string& text, const std::string& where, const std::string& column) {
    const std::string t = trim(text);
    double v = 0;
    const auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (t.empty() || ec != std::errc() || end != t.data() + t.size() || !std::isfinite(v))
        throw Error(ErrorCode::BadFormat,
                    "column '" + column + "': '" + text + "' is not a finite number", where);
    return v;
}

std::string shortest(double v) {
    char buf[32];
    const auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
    return ec == std::errc() ? std::string(buf, end) : std::string("nan");
}

}  // namespace

Predictions parsePredictionsCsv(const std::string& text, bool multiLabel,
                                const std::string& source) {
    const auto rows = parseCsv(text, source);
    if (rows.empty())
        throw Error(ErrorCode::Dataset, "no header and no clips: the file is empty", source);
    const auto& header = rows.front().fields;
    int fileCol = -1, labelCol = -1, startCol = -1, endCol = -1;
    std::vector<std::size_t> classCols;
    Predictions p;
    p.multi_label = multiLabel;
    std::map<std::string, int> classIndex;
    for (std::size_t c = 0; c < header.size(); ++c) {
        const std::string name = trim(header[c]);
        const std::string where = source + ":1";
        auto claim = [&](int& col) {
            if (col >= 0)
                throw Error(ErrorCode::BadFormat, "column '" + name + "' appears twice", where);
            col = static_cast<int>(c);
        };
        if (name == "file")
            claim(fileCol);
        else if (name == "true" || name == "label" || name == "labels")
            claim(labelCol);
        else if (name == "start_s" || name == "start")
            claim(startCol);
        else if (name == "end_s" || name == "end")
            claim(endCol);
        else if (name == "predicted")
            continue;
        else {
            if (name.empty())
                throw Error(ErrorCode::BadFormat,
                            "column " + std::to_string(c + 1) + " has no name", where);
            if (!classIndex.emplace(name, static_cast<int>(p.classes.size())).second)
                throw Error(ErrorCode::BadFormat, "class column '" + name + "' appears twice",
                            where);
            p.classes.push_back(name);
            classCols.push_back(c);
        }
    }
    if (fileCol < 0 || labelCol < 0)
        throw Error(ErrorCode::BadFormat,
                    "the header needs a 'file' and a 'true' (or 'label') column", source + ":1");
    if ((startCol < 0) != (endCol < 0))
        throw Error(ErrorCode::BadFormat, "a time window needs both 'start_s' and 'end_s'",
                    source + ":1");
    if (p.classes.empty())
        throw Error(ErrorCode::BadFormat, "no score columns (one per class) in the header",
                    source + ":1");
    if (rows.size() == 1)
        throw Error(ErrorCode::Dataset, "no clips: the file has a header only", source);

    const std::size_t C = p.classes.size();
    p.scores.n_classes = C;
    p.scores.values.reserve((rows.size() - 1) * C);
    for (std::size_t r = 1; r < rows.size(); ++r) {
        const auto& row = rows[r];
        const std::string where = source + ":" + std::to_string(row.line);
        if (row.fields.size() != header.size())
            throw Error(ErrorCode::BadFormat,
                        "expected " + std::to_string(header.size()) + " fields, found " +
                            std::to_string(row.fields.size()),
                        where);
        p.files.push_back(row.fields[static_cast<std::size_t>(fileCol)]);
        if (startCol >= 0) {
            p.start_s.push_back(parseNumber(row.fields[static_cast<std::size_t>(startCol)], where,
                                            header[static_cast<std::size_t>(startCol)]));
            p.end_s.push_back(parseNumber(row.fields[static_cast<std::size_t>(endCol)], where,
                                          header[static_cast<std::size_t>(endCol)]));
        }
        const std::string cell = row.fields[static_cast<std::size_t>(labelCol)];
        std::vector<int> labels;
        if (!multiLabel && cell.find(';') != std::string::npos)
            throw Error(ErrorCode::BadFormat,
                        "'" + cell + "' has several labels: evaluate it as multi-label", where);
        std::size_t pos = 0;
        while (pos <= cell.size()) {
            const auto next = std::min(cell.find(';', pos), cell.size());
            const std::string name = trim(cell.substr(pos, next - pos));
            pos = next + 1;
            if (name.empty())
                continue;
            const auto it = classIndex.find(name);
            if (it == classIndex.end())
                throw Error(ErrorCode::BadFormat,
                            "label '" + name + "' is not one of the score columns", where);
            if (std::find(labels.begin(), labels.end(), it->second) == labels.end())
                labels.push_back(it->second);
        }
        if (!multiLabel && labels.empty())
            throw Error(ErrorCode::BadFormat, "the clip has no true label", where);
        p.labels.push_back(std::move(labels));
        for (std::size_t c = 0; c < C; ++c)
            p.scores.values.push_back(
                parseNumber(row.fields[classCols[c]], where, p.classes[c]));
    }
    p.scores.n_samples = p.files.size();
    return p;
}

Predictions readPredictionsCsv(const std::filesystem::path& path, bool multiLabel) {
    return parsePredictionsCsv(readTextFile(path), multiLabel, path.string());
}

void writePredictionsCsv(const std::filesystem::path& path, const Predictions& p,
                         double threshold) {
    const std::size_t C = p.classes.size();
    if (p.scores.n_samples != p.size() || p.scores.n_classes != C || p.labels.size() != p.size() ||
        p.scores.values.size() != p.size() * C)
        throw Error(ErrorCode::InvalidArgument, "predictions: inconsistent sizes", path.string());
    writeFileAtomically(path, [&](std::ostream& out) {
        out << "file";
        if (p.hasTimeWindows())
            out << ",start_s,end_s";
        out << ",true,predicted";
        for (const auto& c : p.classes)
            out << ',' << csvQuote(c);
        out << '\n';
        for (std::size_t i = 0; i < p.size(); ++i) {
            out << csvQuote(p.files[i]);
            if (p.hasTimeWindows())
                out << ',' << shortest(p.start_s[i]) << ',' << shortest(p.end_s[i]);
            std::string truth, predicted;
            for (int l : p.labels[i])
                truth += (truth.empty() ? "" : ";") + p.classes[static_cast<std::size_t>(l)];
            const auto row = p.scores.row(i);
            if (p.multi_label) {
                for (std::size_t c = 0; c < C; ++c)
                    if (row[c] >= threshold)
                        predicted += (predicted.empty() ? "" : ";") + p.classes[c];
            } else {
                predicted = p.classes[static_cast<std::size_t>(
                    std::max_element(row.begin(), row.end()) - row.begin())];
            }
            out << ',' << csvQuote(truth) << ',' << csvQuote(predicted);
            for (double v : row)
                out << ',' << shortest(v);
            out << '\n';
        }
    });
}

}  // namespace patchout
