#include "patchout/ui/level_meter.h"

#include <QLinearGradient>
#include <QPainter>

#include <algorithm>
#include <cmath>

namespace patchout::ui {

LevelMeter::LevelMeter(QWidget* parent) : QWidget(parent) {
    setToolTip(tr("Input level (dBFS): bar = RMS, tick = peak. Click to clear the clip mark."));
    setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
}

QSize LevelMeter::sizeHint() const { return {240, 18}; }
QSize LevelMeter::minimumSizeHint() const { return {80, 14}; }

double LevelMeter::toDbfs(double amplitude) {
    if (!(amplitude > 0))
        return kFloorDb;
    return std::max(kFloorDb, 20.0 * std::log10(amplitude));
}

double LevelMeter::fractionForDb(double db) {
    return std::clamp((db - kFloorDb) / -kFloorDb, 0.0, 1.0);
}

void LevelMeter::setLevels(double rms, double peak) {
    m_rmsDb = toDbfs(rms);
    m_peakDb = toDbfs(peak);
    if (peak >= 0.999)
        m_clipped = true;
    // The held peak stays kHoldSeconds, then falls at kPeakFallDbPerSecond until a new peak.
    const double age = m_heldSince.isValid() ? m_heldSince.elapsed() / 1000.0 : 0.0;
    const double fallen = m_heldDb - std::max(0.0, age - kHoldSeconds) * kPeakFallDbPerSecond;
    if (m_peakDb >= fallen || !m_heldSince.isValid()) {
        m_heldDb = m_peakDb;
        m_heldSince.start();
    } else if (age > kHoldSeconds) {
        m_heldDb = std::max(fallen, m_peakDb);
    }
    update();
}

void LevelMeter::reset() {
    m_rmsDb = m_peakDb = m_heldDb = kFloorDb;
    m_clipped = false;
    m_heldSince.invalidate();
    update();
}

void LevelMeter::mousePressEvent(QMouseEvent*) {
    m_clipped = false;
    update();
}

void LevelMeter::paintEvent(QPaintEvent*) {
    QPainter painter(this);
    const QRect r = rect().adjusted(0, 0, -1, -1);
    painter.fillRect(r, QColor(30, 30, 30));
    const QRect bar = r.adjusted(1, 1, -1, -1);
    QLinearGradient gradient(bar.topLeft(), bar.topRight());
    gradient.setColorAt(0.0, QColor(40, 170, 60));
    gradient.setColorAt(fractionForDb(-12.0), QColor(200, 200, 40));
    gradient.setColorAt(fractionForDb(-3.0), QColor(230, 60, 40));
    gradient.setColorAt(1.0, QColor(230, 60, 40));
    const int w = static_cast<int>(std::lround(fractionForDb(m_rmsDb) * bar.width()));
    painter.fillRect(QRect(bar.left(), bar.top(), w, bar.height()), gradient);
    const int px = bar.left() + static_cast<int>(std::lround(fractionForDb(m_heldDb) * (bar.width() - 1)));
    if (m_heldDb > kFloorDb) {
        painter.setPen(QPen(Qt::white, 2));
        painter.drawLine(px, bar.top(), px, bar.bottom());
    }
    if (m_clipped) {
        painter.fillRect(QRect(bar.right() - 5, bar.top(), 6, bar.height()), QColor(255, 0, 0));
    }
    painter.setPen(QColor(120, 120, 120));
    painter.drawRect(r);
}

}  // namespace patchout::ui
