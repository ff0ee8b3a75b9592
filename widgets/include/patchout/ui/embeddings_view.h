// The Embeddings view: a browser of an embeddings folder (`patchout embed --out`, or a run's
// embeddings/). Its 2-D map (projection.tsv: t-SNE or PCA) as a scatter plot coloured by label;
// the mouse names the file under it; a click selects a point, and the app answers with its
// nearest neighbours by cosine similarity in the full embedding space (setNeighbours), listed
// beside the map with their scores; a double-click on a neighbour (or the selected point) opens
// the file in Listen. It draws what it is given. Thread-safety: GUI thread only.
#pragma once

#include "patchout/embedding_folder.h"
#include "patchout/similarity_index.h"

#include <QList>
#include <QWidget>

class QLabel;
class QListWidget;
class QStackedWidget;

QT_BEGIN_NAMESPACE
class QChartView;
class QScatterSeries;
QT_END_NAMESPACE

namespace patchout::ui {

class EmbeddingsView : public QWidget {
    Q_OBJECT
public:
    explicit EmbeddingsView(QWidget* parent = nullptr);

    void setFolder(const QString& title, const EmbeddingFolder& folder);
    void clear();
    bool hasFolder() const noexcept { return m_hasFolder; }

    // Selects a row (its point is ringed) and asks for its neighbours (rowSelected).
    void selectRow(int row);
    int selectedRow() const noexcept { return m_selected; }
    // The nearest rows of `row`, best first (the row itself may be among them: it is left out).
    void setNeighbours(int row, const std::vector<Neighbour>& neighbours);

    QString summary() const;
    QString hoverText() const;
    const QList<QScatterSeries*>& labelSeries() const noexcept { return m_series; }
    QListWidget* neighbourList() const noexcept { return m_neighbours; }
    // The row whose point lies nearest to `value` in `series` (-1 when the series is not ours).
    int rowAt(QScatterSeries* series, const QPointF& value) const;

Q_SIGNALS:
    void rowSelected(int row);
    void openFileRequested(const QString& path);

private:
    QLabel* m_summary = nullptr;
    QLabel* m_hover = nullptr;
    QLabel* m_neighboursTitle = nullptr;
    QStackedWidget* m_stack = nullptr;
    QChartView* m_chart = nullptr;
    QListWidget* m_neighbours = nullptr;
    QList<QScatterSeries*> m_series;
    QScatterSeries* m_selection = nullptr;
    std::vector<std::vector<int>> m_rowsOfSeries;  // rows plotted by each label series
    EmbeddingFolder m_folder;
    int m_selected = -1;
    bool m_hasFolder = false;
};

}  // namespace patchout::ui
