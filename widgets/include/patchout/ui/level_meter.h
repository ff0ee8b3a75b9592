// LevelMeter shows the level of the live input as a horizontal bar in dBFS: the RMS as the bar, the
// peak as a tick that falls back slowly, and a clip mark when the peak reaches full scale. The app
// computes the levels of each block and calls setLevels(). Thread-safety: GUI thread only.
#pragma once

#include <QElapsedTimer>
#include <QWidget>

namespace patchout::ui {

class LevelMeter : public QWidget {
    Q_OBJECT
public:
    explicit LevelMeter(QWidget* parent = nullptr);

    // Lowest level the bar shows (dBFS); quieter input draws an empty bar.
    static constexpr double kFloorDb = -60.0;
    // Peak hold falls at this rate once the held peak is older than kHoldSeconds.
    static constexpr double kPeakFallDbPerSecond = 20.0;
    static constexpr double kHoldSeconds = 1.0;

    // Amplitude (linear, full scale 1) to dBFS, clamped at kFloorDb.
    static double toDbfs(double amplitude);

    double rmsDb() const noexcept { return m_rmsDb; }
    double peakDb() const noexcept { return m_peakDb; }
    double heldPeakDb() const noexcept { return m_heldDb; }
    bool clipped() const noexcept { return m_clipped; }
    // Fraction of the bar's length for a level in dBFS (0 at kFloorDb, 1 at 0 dBFS).
    static double fractionForDb(double db);

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public Q_SLOTS:
    // Levels of the latest block as linear amplitudes (RMS and absolute peak).
    void setLevels(double rms, double peak);
    void reset();

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;

private:
    double m_rmsDb = kFloorDb;
    double m_peakDb = kFloorDb;
    double m_heldDb = kFloorDb;
    bool m_clipped = false;
    QElapsedTimer m_heldSince;
};

}  // namespace patchout::ui
