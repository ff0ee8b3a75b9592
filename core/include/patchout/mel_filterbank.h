// Mel filterbanks in the three conventions users meet:
//  - Kaldi (torchaudio.compliance.kaldi.get_mel_banks, used by PaSST): triangles in the mel domain,
//    mel = 1127 ln(1 + f/700), n_fft/2 bins plus a zero Nyquist column;
//  - HTK (torchaudio.functional.melscale_fbanks(mel_scale="htk")): triangles in Hz between
//    HTK-mel-spaced points, mel = 2595 log10(1 + f/700);
//  - Slaney (librosa default, melscale_fbanks(mel_scale="slaney")): same with the Slaney mel scale,
//    optionally area-normalised (norm="slaney").
// The result is a sparse matrix: each filter is a run of non-zero weights over consecutive bins.
#pragma once

#include <string>
#include <vector>

namespace patchout {

enum class MelScale { Kaldi, Htk, Slaney };
enum class MelNorm { None, Slaney };

MelScale melScaleFromName(const std::string& name);
std::string melScaleName(MelScale scale);

double hzToMel(double hz, MelScale scale);
double melToHz(double mel, MelScale scale);

struct MelOptions {
    int n_mels = 128;
    int n_fft = 1024;
    int sample_rate = 32000;
    double f_min = 0.0;
    double f_max = 0.0;  // <= 0: sample_rate / 2 + f_max (Kaldi's rule), so 0 means Nyquist
    MelScale scale = MelScale::Kaldi;
    MelNorm norm = MelNorm::None;
};

class MelFilterbank {
public:
    explicit MelFilterbank(const MelOptions& options);

    const MelOptions& options() const noexcept { return m_options; }
    int numMels() const noexcept { return m_options.n_mels; }
    int numBins() const noexcept { return m_options.n_fft / 2 + 1; }
    // Dense [n_mels x n_bins] row-major copy (for tests and plots).
    std::vector<float> dense() const;
    // Centre frequency of each filter in Hz.
    const std::vector<double>& centerFrequencies() const noexcept { return m_centers; }
    // mel[m] = sum_k weight[m][k] * spectrum[k], over one frame.
    void apply(const float* spectrum, float* mel) const;

private:
    struct Filter {
        int first_bin = 0;
        std::vector<float> weights;
    };
    MelOptions m_options;
    std::vector<Filter> m_filters;
    std::vector<double> m_centers;
};

}  // namespace patchout
