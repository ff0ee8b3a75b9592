// The authors' PyTorch PaSST beside a benchmark (bench_patchout, bench_inference --passt DIR):
// finding a python3 with torch, running benchmarks/pytorch_passt.py with a preset's sizes and the
// same threads, and reading the one line it prints.
#pragma once

#include "patchout/passt.h"
#include "patchout_benchmark_paths.h"

#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

extern char** environ;

namespace patchout::bench {

// `asked`, else /usr/bin/python3 (Debian's, with python3-torch), else python3 on PATH: the first
// that imports torch; empty when none does.
inline std::string findTorchPython(const std::string& asked) {
    std::vector<std::string> candidates;
    if (!asked.empty())
        candidates.push_back(asked);
    candidates.insert(candidates.end(), {"/usr/bin/python3", "python3"});
    for (const auto& py : candidates)
        if (std::system(("'" + py + "' -c 'import torch' >/dev/null 2>&1").c_str()) == 0)
            return py;
    return {};
}

// Runs `args` (args[0] looked up on PATH) with `env` before this environment's variables (the
// first of a name wins) and returns what it printed; throws naming `what` when it fails.
inline std::string runCapture(std::vector<std::string> args, const std::vector<std::string>& env,
                              const std::string& what) {
    std::vector<std::string> envs(env);
    for (char** e = environ; *e; ++e)
        envs.emplace_back(*e);
    std::vector<char*> cargs, cenv;
    for (auto& a : args)
        cargs.push_back(a.data());
    cargs.push_back(nullptr);
    for (auto& e : envs)
        cenv.push_back(e.data());
    cenv.push_back(nullptr);
    int out[2];
    if (::pipe(out) != 0)
        throw std::runtime_error("pipe failed");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, out[0]);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, cargs[0], &actions, nullptr, cargs.data(), cenv.data());
    posix_spawn_file_actions_destroy(&actions);
    ::close(out[1]);
    if (rc != 0) {
        ::close(out[0]);
        throw std::runtime_error("cannot start " + args[0] + " for " + what);
    }
    std::string text;
    char buffer[256];
    for (ssize_t n; (n = ::read(out[0], buffer, sizeof buffer)) > 0;)
        text.append(buffer, static_cast<std::size_t>(n));
    ::close(out[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("the " + what + " run failed");
    return text;
}

// What runs the authors' model for `options`: checks that it can (their repository at `passtDir`,
// a python3 with torch, a preset their PaSST class can build) and builds the command lines.
class PyTorchPaSST {
public:
    PyTorchPaSST(const std::string& passtDir, const std::string& python, const PaSSTOptions& options)
        : m_dir(passtDir), m_options(options) {
        if (!std::filesystem::exists(std::filesystem::path(passtDir) / "models" / "passt.py"))
            throw std::runtime_error("--passt " + passtDir + " has no models/passt.py (the authors' repository, "
                                     "github.com/kkoutini/PaSST)");
        // A preset whose head pools the patches (passt-mini, passt-micro) runs as theirs, which reads
        // the class tokens: a mean over the tokens apart, the same work.
        if (options.positional_encoding != PositionalEncoding::Learned || options.in_chans != 1 ||
            !options.block_heads.empty() || options.sharing != ParameterSharing::None || options.patchout.per_sample)
            throw std::runtime_error("the authors' model has no such options (pruned heads, sharing, other "
                                     "positional encodings, per-example patchout): use a plain preset");
        m_python = findTorchPython(python);
        if (m_python.empty())
            throw std::runtime_error("no python3 with torch found (--python; Debian: apt install python3-torch)");
        m_script = std::string(PATCHOUT_BENCHMARKS_DIR) + "/pytorch_passt.py";
        if (!std::filesystem::exists(m_script))
            throw std::runtime_error(m_script + " is missing");
    }

    // The command line of one run: `mode` step or infer, `precision` fp32 or bf16.
    std::vector<std::string> args(const std::string& mode, const std::string& precision, int batch, int steps,
                                  int threads, const PatchoutOptions& patchout) const {
        const PaSSTOptions& o = m_options;
        std::vector<std::string> a{m_python, "-W", "ignore", m_script, mode, m_dir, precision};
        for (int v : {o.n_mels, o.input_frames, o.patch_size, o.stride_f, o.stride_t, o.embed_dim, o.depth,
                      o.num_heads, o.num_classes, batch, steps, threads, patchout.s_patchout_t, patchout.s_patchout_f,
                      patchout.u_patchout, o.distilled ? 1 : 0})
            a.push_back(std::to_string(v));
        a.push_back(std::to_string(o.mlp_ratio));
        return a;
    }

private:
    std::string m_dir, m_python, m_script;
    PaSSTOptions m_options;
};

}  // namespace patchout::bench
