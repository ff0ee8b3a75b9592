// Lets several QTest classes share one binary: each test file registers its class with
// PATCHOUT_REGISTER_QTEST(Class) and main.cpp runs every registered class with QTest::qExec.
#pragma once

#include <QObject>

#include <functional>
#include <memory>
#include <vector>

namespace patchout::test {

using QTestFactory = std::function<std::unique_ptr<QObject>()>;

inline std::vector<QTestFactory>& qtestRegistry() {
    static std::vector<QTestFactory> registry;
    return registry;
}

struct RegisterQTest {
    explicit RegisterQTest(QTestFactory factory) { qtestRegistry().push_back(std::move(factory)); }
};

}  // namespace patchout::test

#define PATCHOUT_REGISTER_QTEST(Class)                                                          \
    static const ::patchout::test::RegisterQTest s_register##Class(                              \
        [] { return std::unique_ptr<QObject>(new Class); })
