// patchout: the command-line face of Patchout Workbench. Same jobs as the GUI, same run folders.
#include "commands.h"

#include "patchout/error.h"
#include "patchout/system_info.h"

#include <algorithm>
#include <iostream>
#include <string>
#include <vector>

int main(int argc, char** argv) {
    patchout::selectBlasKernels(argv);  // first: may re-execute with faster OpenBLAS kernels
    CLI::App app{"Patchout Workbench: audio transformers trained with patchout (PaSST)", "patchout"};
    app.set_version_flag("--version", std::string("patchout ") + PATCHOUT_VERSION);
    app.require_subcommand(1);
    int threads = 1;
    int blasThreads = 0;
    app.add_option("--threads", threads, "LibTorch intra-op threads (bf16 products)")
        ->capture_default_str();
    app.add_option("--blas_threads", blasThreads, "OpenBLAS threads for fp32 products (0: all cores)")
        ->capture_default_str();
    app.parse_complete_callback(
        [&] { patchout::configureThreads({.torch_threads = threads, .blas_threads = blasThreads}); });

    patchout::cli::addInfoCommand(app);
    patchout::cli::addAudioCommands(app);
    patchout::cli::addDemoCommand(app);
    patchout::cli::addDatasetCommands(app);
    patchout::cli::addModelCommands(app);
    patchout::cli::addMetricsCommand(app);
    patchout::cli::addEvalCommand(app);
    patchout::cli::addTrainCommand(app);
    patchout::cli::addClassifyCommand(app);
    patchout::cli::addEmbedCommand(app);
    patchout::cli::addSimilarCommand(app);
    patchout::cli::addProbeCommand(app);
    patchout::cli::addBaselineCommand(app);
    patchout::cli::addPretrainCommand(app);
    patchout::cli::addProfileCommand(app);
    patchout::cli::addPruneCommand(app);
    patchout::cli::addExplainCommand(app);
    patchout::cli::addRunsCommand(app);

    // Flags are named in snake_case, the field vocabulary of config files (`--batch_size`,
    // `--window_s`); the kebab-case spelling (`--batch-size`) is accepted for every one of them.
    std::vector<std::string> args(argv, argv + argc);
    std::vector<char*> normalised;
    for (std::string& arg : args) {
        if (arg.size() > 2 && arg.compare(0, 2, "--") == 0)
            std::replace(arg.begin() + 2, std::find(arg.begin(), arg.end(), '='), '-', '_');
        normalised.push_back(arg.data());
    }
    try {
        app.parse(static_cast<int>(normalised.size()), normalised.data());
    } catch (const CLI::ParseError& e) {
        return app.exit(e);
    } catch (const patchout::Error& e) {
        std::cerr << "patchout: error: " << e.what() << "\n";
        return e.code() == patchout::ErrorCode::Cancelled ? 130 : 1;
    } catch (const std::exception& e) {
        std::cerr << "patchout: error: " << patchout::exceptionMessage(e) << "\n";
        return 2;
    }
    return 0;
}
