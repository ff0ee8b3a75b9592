#include "patchout/ui/embeddings_view.h"

#include "patchout/ui/colour_map.h"

#include "view_parts.h"

#include <QChart>
#include <QChartView>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QListWidget>
#include <QScatterSeries>
#include <QStackedWidget>
#include <QVBoxLayout>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>

namespace patchout::ui {
namespace {

QString fileOf(const EmbeddingFolder& f, std::int64_t row) {
    const std::string file = f.value(row, "file");
    return file.empty() ? QStringLiteral("#%1").arg(row) : QString::fromStdString(file);
}

}  // namespace

EmbeddingsView::EmbeddingsView(QWidget* parent) : QWidget(parent) {
    m_summary = detail::summaryLabel(this);
    m_hover = new QLabel(this);
    m_hover->setTextInteractionFlags(Qt::TextSelectableByMouse);
    auto* chart = new QChart;
    chart->legend()->setAlignment(Qt::AlignRight);
    chart->setMargins(QMargins(2, 2, 2, 2));
    m_chart = new QChartView(chart, this);
    m_chart->setRenderHint(QPainter::Antialiasing);
    m_chart->setMinimumSize(360, 300);
    m_neighboursTitle = new QLabel(tr("Click a point: its nearest neighbours in the full embedding space"), this);
    m_neighboursTitle->setWordWrap(true);
    m_neighbours = new QListWidget(this);
    m_neighbours->setToolTip(tr("Cosine similarity, best first; double-click opens the file in Listen"));

    auto* side = new QWidget(this);
    auto* sideLayout = new QVBoxLayout(side);
    sideLayout->setContentsMargins(0, 0, 0, 0);
    sideLayout->addWidget(m_neighboursTitle);
    sideLayout->addWidget(m_neighbours, 1);
    side->setMinimumWidth(280);
    auto* board = new QWidget(this);
    auto* row = new QHBoxLayout(board);
    row->setContentsMargins(0, 0, 0, 0);
    row->addWidget(m_chart, 3);
    row->addWidget(side, 1);
    m_stack = detail::emptyOrContent(tr("No embeddings open.\nOpen a run folder, then Run > Embed run… embeds its "
                                "dataset with its best model (`patchout embed --run RUN` does the same)."),
                                     board, this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(m_stack, 1);
    layout->addWidget(m_hover);

    connect(m_neighbours, &QListWidget::itemDoubleClicked, this, [this](QListWidgetItem* item) {
        Q_EMIT openFileRequested(item->data(Qt::UserRole).toString());
    });
    clear();
}

void EmbeddingsView::clear() {
    m_chart->chart()->removeAllSeries();  // deletes them
    for (QAbstractAxis* axis : m_chart->chart()->axes())
        m_chart->chart()->removeAxis(axis);
    m_series.clear();
    m_selection = nullptr;
    m_rowsOfSeries.clear();
    m_neighbours->clear();
    m_folder = {};
    m_selected = -1;
    m_hasFolder = false;
    m_summary->clear();
    m_hover->clear();
    m_stack->setCurrentIndex(0);
}

void EmbeddingsView::setFolder(const QString& title, const EmbeddingFolder& folder) {
    clear();
    // Everything but the vectors themselves (the app keeps those for its neighbour searches).
    m_folder.embeddings.rows = folder.embeddings.rows;
    m_folder.embeddings.dim = folder.embeddings.dim;
    m_folder.columns = folder.columns;
    m_folder.metadata = folder.metadata;
    m_folder.projection = folder.projection;
    m_hasFolder = true;
    m_stack->setCurrentIndex(1);
    QChart* chart = m_chart->chart();
    const std::int64_t n = folder.embeddings.rows;
    std::map<std::string, int> labelIndex;
    for (std::int64_t r = 0; r < n; ++r)
        labelIndex.emplace(folder.value(r, "label"), 0);
    int next = 0;
    for (auto& [label, index] : labelIndex) {
        index = next++;
        auto* s = new QScatterSeries;
        s->setName(label.empty() ? tr("(no label)") : QString::fromStdString(label));
        s->setMarkerSize(8);
        s->setColor(categoryColour(index));
        s->setBorderColor(categoryColour(index).darker(130));
        m_series.append(s);
        m_rowsOfSeries.emplace_back();
    }
    const bool mapped = folder.projection.rows == n && n > 0;
    double lo[2] = {INFINITY, INFINITY}, hi[2] = {-INFINITY, -INFINITY};
    if (mapped)
        for (std::int64_t r = 0; r < n; ++r) {
            const int s = labelIndex[folder.value(r, "label")];
            const float* xy = folder.projection.row(r);
            m_series[s]->append(xy[0], xy[1]);
            m_rowsOfSeries[static_cast<std::size_t>(s)].push_back(static_cast<int>(r));
            for (int d = 0; d < 2; ++d) {
                lo[d] = std::min(lo[d], static_cast<double>(xy[d]));
                hi[d] = std::max(hi[d], static_cast<double>(xy[d]));
            }
        }
    auto* ax = new QValueAxis;
    auto* ay = new QValueAxis;
    for (int d = 0; d < 2; ++d) {
        QValueAxis* axis = d == 0 ? ax : ay;
        const double pad = mapped ? 0.05 * std::max(1e-6, hi[d] - lo[d]) : 1;
        axis->setRange(mapped ? lo[d] - pad : 0, mapped ? hi[d] + pad : 1);
        axis->setLabelsVisible(false);  // map coordinates have no unit
        axis->setGridLineVisible(false);
    }
    chart->addAxis(ax, Qt::AlignBottom);
    chart->addAxis(ay, Qt::AlignLeft);
    m_selection = new QScatterSeries;
    m_selection->setName(tr("selected"));
    m_selection->setMarkerSize(18);
    m_selection->setColor(Qt::transparent);
    m_selection->setBorderColor(Qt::black);
    QPen ring(Qt::black);
    ring.setWidth(3);
    m_selection->setPen(ring);
    for (QScatterSeries* s : m_series) {
        chart->addSeries(s);
        s->attachAxis(ax);
        s->attachAxis(ay);
        connect(s, &QScatterSeries::clicked, this, [this, s](const QPointF& p) { selectRow(rowAt(s, p)); });
        connect(s, &QScatterSeries::hovered, this, [this, s](const QPointF& p, bool on) {
            const int r = on ? rowAt(s, p) : -1;
            m_hover->setText(r < 0 ? QString()
                                   : tr("%1 (%2)").arg(fileOf(m_folder, r), s->name()));
        });
    }
    chart->addSeries(m_selection);
    m_selection->attachAxis(ax);
    m_selection->attachAxis(ay);

    QString text = QStringLiteral("<b>%1</b> &mdash; ").arg(title.toHtmlEscaped());
    text += tr("%1 embeddings of %2 dimensions, %3 labels").arg(n).arg(folder.embeddings.dim).arg(m_series.size());
    if (!mapped)
        text += tr("; no 2-D map (projection.tsv): `patchout embed --projection tsne` makes one");
    m_summary->setText(text);
}

int EmbeddingsView::rowAt(QScatterSeries* series, const QPointF& value) const {
    const int s = static_cast<int>(m_series.indexOf(series));
    if (s < 0)
        return -1;
    int best = -1;
    double bestDistance = std::numeric_limits<double>::max();
    const auto points = series->points();
    for (int i = 0; i < points.size(); ++i) {
        const double d = std::hypot(points[i].x() - value.x(), points[i].y() - value.y());
        if (d < bestDistance) {
            bestDistance = d;
            best = m_rowsOfSeries[static_cast<std::size_t>(s)][static_cast<std::size_t>(i)];
        }
    }
    return best;
}

void EmbeddingsView::selectRow(int row) {
    if (!m_hasFolder || row < 0 || row >= m_folder.embeddings.rows)
        return;
    m_selected = row;
    m_selection->clear();
    if (m_folder.projection.rows == m_folder.embeddings.rows)
        m_selection->append(m_folder.projection.row(row)[0], m_folder.projection.row(row)[1]);
    m_neighbours->clear();
    m_neighboursTitle->setText(tr("Nearest to %1 (%2):")
                                   .arg(fileOf(m_folder, row), QString::fromStdString(m_folder.value(row, "label"))));
    Q_EMIT rowSelected(row);
}

void EmbeddingsView::setNeighbours(int row, const std::vector<Neighbour>& neighbours) {
    if (row != m_selected)
        return;  // an answer for an older selection
    m_neighbours->clear();
    for (const Neighbour& n : neighbours) {
        if (n.id == row)
            continue;
        const QString file = fileOf(m_folder, n.id);
        auto* item = new QListWidgetItem(tr("%1  %2 (%3)")
                                             .arg(n.score, 0, 'f', 3)
                                             .arg(QFileInfo(file).fileName(),
                                                  QString::fromStdString(m_folder.value(n.id, "label"))),
                                         m_neighbours);
        item->setData(Qt::UserRole, file);
        item->setToolTip(file);
    }
}

QString EmbeddingsView::summary() const { return m_summary->text(); }
QString EmbeddingsView::hoverText() const { return m_hover->text(); }

}  // namespace patchout::ui
