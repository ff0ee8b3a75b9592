// Four clips of a multi-label task (classes dog, cat, owl) for the core's threshold tests and the
// Evaluate view's: a is dog and cat, b cat, c owl, d dog; at 0.5 d's owl is a false alarm.
#pragma once

#include "patchout/report.h"

namespace patchout::test {

inline Predictions dogCatOwl() {
    return parsePredictionsCsv("file,true,dog,cat,owl\n"
                               "a,dog;cat,0.9,0.6,0.1\n"
                               "b,cat,0.4,0.7,0.3\n"
                               "c,owl,0.2,0.1,0.8\n"
                               "d,dog,0.3,0.2,0.6\n",
                               true, "t.csv");
}

}  // namespace patchout::test
