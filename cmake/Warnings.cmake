# patchout_warnings: an interface target every first-party target links, so the warning policy
# lives in one place. Third-party headers (LibTorch, Qt) come in as SYSTEM includes and stay quiet.
# Designated initialisers that leave option fields at their defaults are the house style
# (`{.n_fft = 512}`), so -Wmissing-field-initializers (part of -Wextra) is off.
add_library(patchout_warnings INTERFACE)
target_compile_options(patchout_warnings INTERFACE -Wall -Wextra -Wpedantic
                       -Wno-missing-field-initializers $<$<BOOL:${PATCHOUT_WERROR}>:-Werror>)
# GCC 12 at -O3 reports std::string/std::vector internals as overflows (GCC bugs 105329, 105651);
# they are false positives in libstdc++ code, not ours.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(patchout_warnings INTERFACE -Wno-stringop-overflow -Wno-restrict -Wno-array-bounds)
endif()
