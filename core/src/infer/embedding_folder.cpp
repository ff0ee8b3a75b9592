// The embeddings folder (`patchout embed --out`, a run's embeddings/): written and read back for
// the workbench's Embeddings view and `patchout similar`.
#include "patchout/embedding_folder.h"

#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/projection.h"
#include "patchout/similarity_index.h"

#include <algorithm>
#include <iomanip>
#include <sstream>

namespace patchout {

std::string writeEmbeddingFolder(const std::filesystem::path& dir, const EmbeddingMatrix& m,
                                 const std::vector<std::string>& names, const std::vector<std::string>& labels,
                                 const std::string& projection) {
    if (names.size() != static_cast<std::size_t>(m.rows) || labels.size() != names.size())
        throw Error(ErrorCode::InvalidArgument, "one name and one label per embedding are needed", dir.string());
    std::string method = projection;
    if (method == "auto")
        method = m.rows < 3 ? "none" : m.rows <= 2000 ? "tsne" : "pca";
    if (method != "tsne" && method != "pca" && method != "none")
        throw Error(ErrorCode::InvalidArgument, "unknown projection '" + projection + "' (auto, tsne, pca, none)");
    std::vector<std::vector<std::string>> metadata;
    for (std::size_t i = 0; i < names.size(); ++i)
        metadata.push_back({names[i], labels[i]});
    writeProjectorFiles(dir, m, {"file", "label"}, metadata);
    SimilarityIndex::build(m, names).save(dir);
    if (method != "none") {
        const EmbeddingMatrix xy =
            method == "tsne" ? tsne2d(m, {.perplexity = std::min(30.0, static_cast<double>(m.rows - 1) / 3.0)})
                             : pca2d(m);
        std::ostringstream text;
        text << "x\ty\n" << std::setprecision(7);
        for (std::int64_t r = 0; r < xy.rows; ++r)
            text << xy.row(r)[0] << '\t' << xy.row(r)[1] << '\n';
        writeTextAtomically(dir / "projection.tsv", text.str());
    }
    return method;
}

namespace {

std::vector<std::string> splitTabs(const std::string& line) {
    std::vector<std::string> out;
    std::string field;
    std::istringstream in(line);
    while (std::getline(in, field, '\t'))
        out.push_back(field);
    if (!line.empty() && line.back() == '\t')
        out.emplace_back();
    return out;
}

std::vector<std::string> lines(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line))
        if (!line.empty())
            out.push_back(line);
    return out;
}

}  // namespace

std::string EmbeddingFolder::value(std::int64_t row, const std::string& column) const {
    for (std::size_t c = 0; c < columns.size(); ++c)
        if (columns[c] == column && row >= 0 && static_cast<std::size_t>(row) < metadata.size())
            return c < metadata[static_cast<std::size_t>(row)].size() ? metadata[static_cast<std::size_t>(row)][c] : "";
    return {};
}

EmbeddingFolder readEmbeddingFolder(const std::filesystem::path& dir) {
    EmbeddingFolder f;
    if (!std::filesystem::is_regular_file(dir / "embeddings.bin"))
        throw Error(ErrorCode::FileNotFound, "no embeddings here (embeddings.bin missing)", dir.string());
    f.embeddings = loadEmbeddingMatrix(dir / "embeddings.bin");
    if (std::filesystem::is_regular_file(dir / "metadata.tsv")) {
        const auto rows = lines(readTextFile(dir / "metadata.tsv"));
        if (rows.empty() || static_cast<std::int64_t>(rows.size()) - 1 != f.embeddings.rows)
            throw Error(ErrorCode::BadFormat, "a header and one row per embedding are needed",
                        (dir / "metadata.tsv").string());
        f.columns = splitTabs(rows[0]);
        for (std::size_t i = 1; i < rows.size(); ++i)
            f.metadata.push_back(splitTabs(rows[i]));
    }
    if (std::filesystem::is_regular_file(dir / "projection.tsv")) {
        const auto rows = lines(readTextFile(dir / "projection.tsv"));
        const std::string where = (dir / "projection.tsv").string();
        if (rows.empty() || static_cast<std::int64_t>(rows.size()) - 1 != f.embeddings.rows)
            throw Error(ErrorCode::BadFormat, "a header and one row per embedding are needed", where);
        f.projection.dim = 2;
        f.projection.rows = f.embeddings.rows;
        for (std::size_t i = 1; i < rows.size(); ++i) {
            const auto xy = splitTabs(rows[i]);
            try {
                if (xy.size() != 2)
                    throw std::invalid_argument("two values");
                f.projection.data.push_back(std::stof(xy[0]));
                f.projection.data.push_back(std::stof(xy[1]));
            } catch (const std::exception&) {
                throw Error(ErrorCode::BadFormat, "expected two numbers", where + ":" + std::to_string(i + 1));
            }
        }
    }
    return f;
}

}  // namespace patchout
