// Pieces the views share: the summary line above them, the page that says how to open something
// while nothing is open, and table cells that sort by number. Internal to patchout_widgets.
#pragma once

#include <QString>
#include <QTableWidgetItem>

class QLabel;
class QStackedWidget;
class QWidget;

namespace patchout::ui::detail {

// A selectable, word-wrapped rich-text line.
QLabel* summaryLabel(QWidget* parent);
// Page 0: `emptyText` centred (nothing open yet); page 1: `content`.
QStackedWidget* emptyOrContent(const QString& emptyText, QWidget* content, QWidget* parent);

// A right-aligned table cell showing `text` that sorts by `value`, not by its text.
class NumberItem : public QTableWidgetItem {
public:
    NumberItem(double value, const QString& text);
    bool operator<(const QTableWidgetItem& other) const override;

private:
    double m_value;
};

}  // namespace patchout::ui::detail
