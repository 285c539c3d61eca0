# What `cmake --install <build> --prefix P` puts under P, and the Debian package that
# `cpack -G DEB` (run in the build directory) makes of the same files, installed under /usr:
#
#   bin/ftbench                  the binary
#   share/ftbench/plots/         its Python tools: ftbench_report.py, ftbench_compare.py,
#                                ftbench_history.py, ftbench_merge.py, ftbplots/
#                                (the binary finds them relative to its own location: python_tool.h)
#   share/ftbench/workloads/py/  the Python workloads (found relative to the binary too:
#                                harness/src/python_workloads.h)
#   share/ftbench/python/        cell_driver.py: runs a Python workload on a real CPython
#   share/doc/ftbench/           README.md, docs/*, plots/README.md, workloads/README.md
#
# Nothing else is needed at run time: no source tree, no git. The binary itself is installed by
# harness/CMakeLists.txt.
set(ftb_tools_dir ${CMAKE_INSTALL_DATADIR}/ftbench/plots)
install(PROGRAMS plots/ftbench_report.py plots/ftbench_compare.py plots/ftbench_history.py plots/ftbench_merge.py
        DESTINATION ${ftb_tools_dir})
install(DIRECTORY plots/ftbplots DESTINATION ${ftb_tools_dir}
        FILES_MATCHING PATTERN "*.py" PATTERN "__pycache__" EXCLUDE)
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)
install(FILES plots/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR}/plots)
install(DIRECTORY workloads/py DESTINATION ${CMAKE_INSTALL_DATADIR}/ftbench/workloads FILES_MATCHING PATTERN "*.py"
        PATTERN "__pycache__" EXCLUDE)
install(PROGRAMS harness/python/cell_driver.py DESTINATION ${CMAKE_INSTALL_DATADIR}/ftbench/python)
install(FILES workloads/README.md DESTINATION ${CMAKE_INSTALL_DOCDIR}/workloads)

# The Debian package (Debian 12's package names). The libraries the binary links come from
# dpkg-shlibdeps (dpkg-dev), which reads the binary's NEEDED entries and names each library's
# package with its minimum version; the list below is only used when dpkg-shlibdeps is missing.
# The Python tools need Debian's python3 with numpy, scipy and matplotlib; valgrind only for
# `ftbench run --instructions`.
set(CPACK_PACKAGE_NAME ftbench)
set(CPACK_PACKAGE_VENDOR ftbench)
set(CPACK_PACKAGE_CONTACT "ftbench maintainers <ftbench@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "the cost and the gain of free threading, measured on one object runtime compiled three ways")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # ftbench_<version>_<arch>.deb
set(CPACK_DEBIAN_PACKAGE_SECTION devel)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "python3, python3-numpy, python3-scipy, python3-matplotlib")
find_program(FTB_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(FTB_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  string(APPEND CPACK_DEBIAN_PACKAGE_DEPENDS
         ", libc6, libstdc++6, libgcc-s1, libfmt9, libhwloc15, libtbb12, libmimalloc2.0, libbenchmark1debian")
endif()
set(CPACK_DEBIAN_PACKAGE_SUGGESTS valgrind)
include(CPack)
