# CPack settings in one module (as Audacity keeps them): a Debian package of the CLI and the
# workbench, depending on the same Debian packages that packaging/install-deps.sh installs.
set(CPACK_PACKAGE_NAME "patchout-workbench")
set(CPACK_PACKAGE_VENDOR "Patchout Workbench developers")
set(CPACK_PACKAGE_CONTACT "patchout-workbench@localhost")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}")
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libopenblas0-pthread, espeak-ng-data")
include(CPack)
