# CPack settings in one module (as Audacity keeps them): a Debian package of the CLI and the
# workbench, depending on the same Debian packages that packaging/install-deps.sh installs.
set(CPACK_PACKAGE_NAME "patchout-workbench")
set(CPACK_PACKAGE_VENDOR "Patchout Workbench developers")
set(CPACK_PACKAGE_CONTACT "patchout-workbench@localhost")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # patchout-workbench_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION "science")
# The libraries the programs link come from dpkg-shlibdeps. Beside them, what is used without being
# linked: OpenBLAS (LibTorch's BLAS is chosen through Debian's alternatives; without it LibTorch
# falls back to reference BLAS, ~40x slower) and espeak-ng's voices (read at run time).
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread, espeak-ng-data")
include(CPack)
