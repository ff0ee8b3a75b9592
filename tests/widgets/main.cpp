#include "patchout/system_info.h"
#include "qtest_registry.h"

#include <QApplication>
#include <QStandardPaths>
#include <QTest>

#include <cstring>
#include <vector>

// `widgets_tests [TestClass] [QTest options and functions]`: with a class name first, only that
// class runs (the rest of the arguments go to it); otherwise every registered class runs.
int main(int argc, char** argv) {
    patchout::selectBlasKernels(argv);  // first: may re-execute with faster OpenBLAS kernels
    // Settings and standard folders go to a test location, never the user's.
    QStandardPaths::setTestModeEnabled(true);
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("PatchoutTests"));
    QApplication::setApplicationName(QStringLiteral("widgets_tests"));
    std::vector<std::unique_ptr<QObject>> tests;
    for (const auto& factory : patchout::test::qtestRegistry())
        tests.push_back(factory());
    const char* only = nullptr;
    for (const auto& t : tests)
        if (argc > 1 && std::strcmp(argv[1], t->metaObject()->className()) == 0)
            only = argv[1];
    std::vector<char*> args(argv, argv + argc);
    if (only != nullptr)
        args.erase(args.begin() + 1);
    int failures = 0;
    for (const auto& t : tests)
        if (only == nullptr || std::strcmp(only, t->metaObject()->className()) == 0)
            failures += QTest::qExec(t.get(), static_cast<int>(args.size()), args.data());
    return failures == 0 ? 0 : 1;
}
