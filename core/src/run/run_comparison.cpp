#include "patchout/run_comparison.h"

#include "patchout/error.h"
#include "patchout/files.h"
#include "patchout/text.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <map>
#include <ostream>
#include <sstream>

namespace patchout {
namespace fs = std::filesystem;
using ojson = nlohmann::ordered_json;

std::vector<fs::path> findRuns(const std::vector<fs::path>& paths) {
    std::vector<fs::path> runs;
    auto add = [&](const fs::path& run) {
        const fs::path canonical = fs::weakly_canonical(run);
        if (std::find(runs.begin(), runs.end(), canonical) == runs.end())
            runs.push_back(canonical);
    };
    for (const fs::path& p : paths) {
        if (!fs::is_directory(p))
            throw Error(ErrorCode::FileNotFound, "no such folder", p.string());
        if (isRunFolder(p)) {
            add(p);
            continue;
        }
        std::vector<fs::path> inside;
        std::error_code ec;
        for (const auto& entry : fs::directory_iterator(p, ec))
            if (entry.is_directory() && isRunFolder(entry.path()))
                inside.push_back(entry.path());
        if (inside.empty())
            throw Error(ErrorCode::Dataset,
                        "neither a run folder nor a folder of runs (a run has config.json and metrics.jsonl)",
                        p.string());
        std::sort(inside.begin(), inside.end());
        for (const fs::path& run : inside)
            add(run);
    }
    return runs;
}

namespace {

// "a.b" -> value text, in the file's order.
void flatten(const ojson& j, const std::string& prefix, std::vector<std::pair<std::string, std::string>>& out) {
    if (j.is_object() && !j.empty()) {
        for (const auto& [key, value] : j.items())
            flatten(value, prefix.empty() ? key : prefix + "." + key, out);
        return;
    }
    out.emplace_back(prefix, j.is_string() ? j.get<std::string>() : j.dump());
}

std::vector<std::pair<std::string, std::string>> settingsOf(const fs::path& run) {
    const fs::path config = RunPaths(run).config();
    ojson j;
    try {
        j = ojson::parse(readTextFile(config));
    } catch (const ojson::exception& e) {
        throw Error(ErrorCode::BadFormat, std::string("config.json: ") + e.what(), config.string());
    }
    std::vector<std::pair<std::string, std::string>> out;
    if (!j.is_object())
        throw Error(ErrorCode::BadFormat, "config.json is not a JSON object", config.string());
    flatten(j.value("options", ojson::object()), "", out);
    const ojson dataset = j.value("dataset", ojson::object());
    const ojson split = j.value("split", ojson::object());
    out.emplace_back("dataset.root", dataset.is_object() ? dataset.value("root", std::string()) : std::string());
    out.emplace_back("split.name", split.is_object() ? split.value("name", std::string()) : std::string());
    return out;
}

std::string number(double v) {
    if (!std::isfinite(v))
        return {};
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.9g", v);
    return buf;
}

std::string xmlEscape(const std::string& s) {
    std::string out;
    for (char c : s) {
        switch (c) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;
        case '"': out += "&quot;"; break;
        default: out += c;
        }
    }
    return out;
}

}  // namespace

std::vector<OptionDifference> differingOptions(const std::vector<fs::path>& runs) {
    std::vector<std::string> order;                           // names, first run's order first
    std::map<std::string, std::vector<std::string>> values;  // name -> one value per run
    for (std::size_t r = 0; r < runs.size(); ++r)
        for (const auto& [name, value] : settingsOf(runs[r])) {
            auto [it, added] = values.try_emplace(name, runs.size());
            if (added)
                order.push_back(name);
            it->second[r] = value;
        }
    std::vector<OptionDifference> out;
    for (const std::string& name : order) {
        const std::vector<std::string>& v = values[name];
        if (std::adjacent_find(v.begin(), v.end(), std::not_equal_to<>()) != v.end())
            out.push_back({name, v});
    }
    return out;
}

std::string runLabel(const RunFolder& run) {
    const std::string name = run.dir.filename().string();
    return name.empty() ? run.dir.parent_path().filename().string() : name;
}

std::string runColour(std::size_t i) {
    static const char* const kColours[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                                           "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
    return kColours[i % std::size(kColours)];
}

void writeRunCurvesCsv(const fs::path& path, const std::vector<RunFolder>& runs) {
    writeFileAtomically(path, [&](std::ostream& out) {
        out << "run,type,epoch,step,loss,lr,examples_per_s,train_loss,validation_loss,validation_accuracy,seconds\n";
        for (const RunFolder& run : runs) {
            const std::string name = csvQuote(runLabel(run));
            for (const auto& s : run.curves.steps)
                out << name << ",step," << s.epoch << ',' << s.step << ',' << number(s.loss) << ','
                    << number(s.lr) << ',' << number(s.examples_per_s) << ",,,,\n";
            for (const auto& e : run.curves.epochs)
                out << name << ",epoch," << e.epoch << ',' << e.step << ",," << number(e.lr) << ",,"
                    << number(e.train_loss) << ',' << number(e.validation_loss) << ','
                    << number(e.validation_accuracy) << ',' << number(e.seconds) << '\n';
        }
    });
}

void writeRunCurvesSvg(const fs::path& path, const std::vector<RunFolder>& runs) {
    struct Panel {
        const char* title;
        const char* x;
        std::function<std::vector<std::pair<double, double>>(const TrainingCurves&)> points;
    };
    auto fromSteps = [](double TrainingCurves::Step::*field) {
        return [field](const TrainingCurves& c) {
            std::vector<std::pair<double, double>> p;
            for (const auto& s : c.steps)
                if (std::isfinite(s.*field))
                    p.emplace_back(static_cast<double>(s.step), s.*field);
            return p;
        };
    };
    const Panel panels[] = {
        {"training loss", "step", fromSteps(&TrainingCurves::Step::loss)},
        {"validation accuracy", "epoch",
         [](const TrainingCurves& c) {
             std::vector<std::pair<double, double>> p;
             for (const auto& e : c.epochs)
                 if (std::isfinite(e.validation_accuracy))
                     p.emplace_back(static_cast<double>(e.epoch), e.validation_accuracy);
             return p;
         }},
        {"learning rate", "step", fromSteps(&TrainingCurves::Step::lr)},
        {"examples per second", "step", fromSteps(&TrainingCurves::Step::examples_per_s)},
    };
    constexpr double kW = 460, kH = 280, kLeft = 64, kRight = 16, kTop = 30, kBottom = 40;
    const double legendH = 22.0 * static_cast<double>(runs.size()) + 16;
    std::ostringstream svg;
    svg << "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        << "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" << 2 * kW << "\" height=\"" << 2 * kH + legendH
        << "\" font-family=\"sans-serif\" font-size=\"12\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
    for (std::size_t k = 0; k < std::size(panels); ++k) {
        const double ox = static_cast<double>(k % 2) * kW, oy = static_cast<double>(k / 2) * kH;
        std::vector<std::vector<std::pair<double, double>>> series;
        double x1 = 1, y0 = INFINITY, y1 = -INFINITY;
        for (const RunFolder& run : runs) {
            series.push_back(panels[k].points(run.curves));
            for (const auto& [x, y] : series.back()) {
                x1 = std::max(x1, x);
                y0 = std::min(y0, y);
                y1 = std::max(y1, y);
            }
        }
        if (!std::isfinite(y0)) {
            y0 = 0;
            y1 = 1;
        }
        if (y1 - y0 < 1e-12 * std::max(1.0, std::abs(y1))) {  // a flat line: drawn in the middle
            y0 -= 0.5 * std::max(std::abs(y0), 1e-9);
            y1 += 0.5 * std::max(std::abs(y1), 1e-9);
        }
        const double pw = kW - kLeft - kRight, ph = kH - kTop - kBottom;
        auto px = [&](double x) { return ox + kLeft + x / x1 * pw; };
        auto py = [&](double y) { return oy + kTop + (1 - (y - y0) / (y1 - y0)) * ph; };
        svg << "<text x=\"" << ox + kLeft + pw / 2 << "\" y=\"" << oy + 18 << "\" text-anchor=\"middle\" font-weight=\"bold\">"
            << panels[k].title << "</text>\n"
            << "<rect x=\"" << ox + kLeft << "\" y=\"" << oy + kTop << "\" width=\"" << pw << "\" height=\"" << ph
            << "\" fill=\"none\" stroke=\"#888\"/>\n";
        for (int t = 0; t <= 4; ++t) {
            const double y = y0 + (y1 - y0) * t / 4, x = x1 * t / 4;
            char label[32];
            std::snprintf(label, sizeof label, "%.3g", y);
            svg << "<line x1=\"" << ox + kLeft << "\" x2=\"" << ox + kLeft + pw << "\" y1=\"" << py(y) << "\" y2=\""
                << py(y) << "\" stroke=\"#eee\"/>\n"
                << "<text x=\"" << ox + kLeft - 4 << "\" y=\"" << py(y) + 4 << "\" text-anchor=\"end\">" << label << "</text>\n";
            std::snprintf(label, sizeof label, "%.0f", x);
            svg << "<text x=\"" << px(x) << "\" y=\"" << oy + kTop + ph + 16 << "\" text-anchor=\"middle\">" << label
                << "</text>\n";
        }
        svg << "<text x=\"" << ox + kLeft + pw / 2 << "\" y=\"" << oy + kH - 6 << "\" text-anchor=\"middle\">" << panels[k].x << "</text>\n";
        for (std::size_t r = 0; r < series.size(); ++r) {
            if (series[r].empty())
                continue;
            svg << "<polyline fill=\"none\" stroke=\"" << runColour(r) << "\" stroke-width=\"1.5\" points=\"";
            for (const auto& [x, y] : series[r])
                svg << px(x) << ',' << py(y) << ' ';
            svg << "\"/>\n";
        }
    }
    for (std::size_t r = 0; r < runs.size(); ++r) {
        const double y = 2 * kH + 16 + 22.0 * static_cast<double>(r);
        svg << "<line x1=\"" << kLeft << "\" x2=\"" << kLeft + 28 << "\" y1=\"" << y - 4 << "\" y2=\"" << y - 4
            << "\" stroke=\"" << runColour(r) << "\" stroke-width=\"3\"/>\n<text x=\"" << kLeft + 36 << "\" y=\"" << y
            << "\">" << xmlEscape(runLabel(runs[r])) << "</text>\n";
    }
    svg << "</svg>\n";
    writeTextAtomically(path, svg.str());
}

}  // namespace patchout
