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

}  // namespace patchout::ui::detail
