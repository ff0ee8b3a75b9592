# Every external dependency is found here, once; packaging/install-deps.sh installs them all.
find_package(PkgConfig REQUIRED)
find_package(Threads REQUIRED)
find_package(Torch REQUIRED)
find_package(nlohmann_json 3.10 REQUIRED)
find_package(CLI11 REQUIRED)
# libpng: core writes pictures (patchout/image.h) without Qt, so the CLI needs none.
find_package(PNG REQUIRED)
# FAISS (similarity search, k-means) is a static library whose target needs OpenMP found first.
find_package(OpenMP REQUIRED)
find_package(faiss REQUIRED)

pkg_check_modules(SNDFILE REQUIRED IMPORTED_TARGET sndfile)
pkg_check_modules(SOXR REQUIRED IMPORTED_TARGET soxr)
pkg_check_modules(FFTW3F REQUIRED IMPORTED_TARGET fftw3f)
pkg_check_modules(PORTAUDIO REQUIRED IMPORTED_TARGET portaudio-2.0)

if(PATCHOUT_BUILD_GUI)
  find_package(Qt6 6.4 REQUIRED COMPONENTS Core Gui Widgets Charts Test LinguistTools)
endif()
if(PATCHOUT_BUILD_TESTS)
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()
