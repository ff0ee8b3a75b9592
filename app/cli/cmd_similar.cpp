// `patchout similar QUERY.wav --index DIR -k 10`: the clips most similar (cosine of embeddings) to
// a query, from a folder written by `patchout embed` (embeddings, index and the embedding recipe).
#include "commands.h"

#include "patchout/embedder.h"
#include "patchout/error.h"
#include "patchout/run_jobs.h"
#include "patchout/similarity_index.h"

#include <iomanip>
#include <iostream>

namespace patchout::cli {
namespace {

struct SimilarArgs {
    std::string query;
    std::string index;
    std::string checkpoint;
    int k = 10;
};

void runSimilar(const SimilarArgs& a) {
    const std::filesystem::path dir = a.index;
    const EmbedRecipe recipe = readEmbedRecipe(dir);
    const std::filesystem::path checkpoint = a.checkpoint.empty() ? recipe.checkpoint : std::filesystem::path(a.checkpoint);
    const SimilarityIndex index = SimilarityIndex::load(dir);
    Embedder embedder = Embedder::fromCheckpoint(checkpoint, recipe.options);
    const auto neighbours = index.search(embedder.embedFile(a.query), a.k);
    std::cout << "most similar to " << a.query << " (" << index.size() << " clips, "
              << (index.approximate() ? "HNSW" : "exact") << "):\n";
    for (std::size_t i = 0; i < neighbours.size(); ++i)
        std::cout << std::setw(3) << i + 1 << "  " << std::fixed << std::setprecision(4)
                  << neighbours[i].score << "  " << neighbours[i].name << "\n";
}

}  // namespace

void addSimilarCommand(CLI::App& app) {
    static SimilarArgs a;
    auto* cmd = app.add_subcommand("similar", "Clips most similar to a query (cosine of embeddings)");
    cmd->add_option("query", a.query, "Query audio file")->required();
    cmd->add_option("--index", a.index, "Folder written by `patchout embed`")->required();
    cmd->add_option("-k", a.k, "Neighbours shown")->capture_default_str();
    cmd->add_option("--checkpoint", a.checkpoint, "Model file (default: the one the folder names)");
    cmd->callback([] { runSimilar(a); });
}

}  // namespace patchout::cli
