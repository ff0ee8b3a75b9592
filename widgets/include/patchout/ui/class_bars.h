// ClassBars shows live classification: the class a model hears now (or "background" when no class
// reaches the threshold or the input is quiet), the top-k smoothed scores as horizontal bars with
// the threshold marked, and the latency of the latest update. It draws the state it is given; the
// app runs the LiveClassifier and converts each LiveUpdate with ClassBarsState::fromUpdate().
// Thread-safety: GUI thread only.
#pragma once

#include "patchout/classifier.h"
#include "patchout/live_classifier.h"

#include <QString>
#include <QStringList>
#include <QWidget>

#include <functional>
#include <vector>

namespace patchout::ui {

struct ClassBarsState {
    QStringList labels;          // the top-k classes, best first
    std::vector<float> scores;   // their smoothed scores, in [0, 1]
    double threshold = 0.5;      // a class at or above it is active
    QString active;              // the active class, or the background label
    bool background = true;      // nothing active (quiet input or every score under threshold)
    bool silent = false;         // under the energy gate: the model was not run
    double level_db = 0;         // input level of the window (dBFS)
    double latency_ms = 0;
    double time_s = 0;           // stream time at the end of the window
    bool from_file = false;      // a window of a classified file: no latency or level to show
    double window_start_s = 0;   // from_file: where the window begins

    // `label` names a model class; LiveUpdate::best == kBackgroundClass is the background.
    static ClassBarsState fromUpdate(const LiveUpdate& update, const std::function<QString(int)>& label,
                                     double threshold);
    // Window `window` of a classified file (its scores as they are, not smoothed).
    static ClassBarsState fromWindow(const WindowResult& window, const std::function<QString(int)>& label,
                                     double threshold, int k = 3);
};

class ClassBars : public QWidget {
    Q_OBJECT
public:
    explicit ClassBars(QWidget* parent = nullptr);

    // What the header says: the model's file name, or that none is loaded.
    void setModelName(const QString& name);
    QString modelName() const { return m_model; }
    const ClassBarsState& state() const noexcept { return m_state; }
    bool hasState() const noexcept { return m_hasState; }
    // The rectangle of the full-scale bar of row `row` (0 = best), in widget coordinates.
    QRect barRect(int row) const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public Q_SLOTS:
    void showState(const patchout::ui::ClassBarsState& state);
    void clear();  // no update yet (a new stream or model)

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    int rowsTop() const;
    QString m_model;
    ClassBarsState m_state;
    bool m_hasState = false;
};

}  // namespace patchout::ui

Q_DECLARE_METATYPE(patchout::ui::ClassBarsState)
