# PATCHOUT_SANITIZE (the sanitize preset, GCC): every first-party object is built with
# AddressSanitizer and UBSan, and UBSan's findings are errors, not warnings, so a test that
# triggers one fails. -O1 keeps the sanitized tests fast enough for CI; the stacks stay readable.
# (The libFuzzer targets need Clang and are a tree of their own: fuzz/, the fuzz preset.)
if(PATCHOUT_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-sanitize-recover=undefined
                      -fno-omit-frame-pointer $<$<CONFIG:Debug>:-O1>)
  add_link_options(-fsanitize=address,undefined)
endif()
