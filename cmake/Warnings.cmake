# patchout_warnings: an interface target every first-party target links, so the warning policy
# lives in one place. Third-party headers (LibTorch, Qt) come in as SYSTEM includes and stay quiet.
add_library(patchout_warnings INTERFACE)
target_compile_options(patchout_warnings INTERFACE -Wall -Wextra -Wpedantic
                       $<$<BOOL:${PATCHOUT_WERROR}>:-Werror>)
