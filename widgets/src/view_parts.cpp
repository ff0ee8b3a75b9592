#include "view_parts.h"

#include <QLabel>
#include <QStackedWidget>

namespace patchout::ui::detail {

QLabel* summaryLabel(QWidget* parent) {
    auto* label = new QLabel(parent);
    label->setWordWrap(true);
    label->setTextInteractionFlags(Qt::TextSelectableByMouse);
    return label;
}

QStackedWidget* emptyOrContent(const QString& emptyText, QWidget* content, QWidget* parent) {
    auto* empty = new QLabel(emptyText, parent);
    empty->setAlignment(Qt::AlignCenter);
    empty->setWordWrap(true);
    auto* stack = new QStackedWidget(parent);
    stack->addWidget(empty);
    stack->addWidget(content);
    return stack;
}

NumberItem::NumberItem(double value, const QString& text) : QTableWidgetItem(text), m_value(value) {
    setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
}

bool NumberItem::operator<(const QTableWidgetItem& other) const {
    if (const auto* n = dynamic_cast<const NumberItem*>(&other))
        return m_value < n->m_value;
    return QTableWidgetItem::operator<(other);
}

}  // namespace patchout::ui::detail
