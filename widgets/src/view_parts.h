// Pieces the run views (Train, Embeddings, Evaluate) share: the summary line above them and the
// page that says how to open something while nothing is open. Internal to patchout_widgets.
#pragma once

#include <QString>

class QLabel;
class QStackedWidget;
class QWidget;

namespace patchout::ui::detail {

// A selectable, word-wrapped rich-text line.
QLabel* summaryLabel(QWidget* parent);
// Page 0: `emptyText` centred (nothing open yet); page 1: `content`.
QStackedWidget* emptyOrContent(const QString& emptyText, QWidget* content, QWidget* parent);

}  // namespace patchout::ui::detail
