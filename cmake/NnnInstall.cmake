# Install rules and the CMake package. The public headers are every header
# under nnn/ but the YAML reader (yaml-cpp stays an implementation detail),
# plus the configured version.h. nnn/serve (the web demo of `nnn serve`, on
# cpp-httplib) belongs to the command-line tool and is not installed.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set_target_properties(nnn_baseline PROPERTIES EXPORT_NAME baseline)
set_target_properties(nnn PROPERTIES EXPORT_NAME nnn)
set_target_properties(nnn_core PROPERTIES EXPORT_NAME core)
set_target_properties(nnn_studies PROPERTIES EXPORT_NAME studies)
set_target_properties(nnn_tracking_records PROPERTIES EXPORT_NAME tracking_records)
install(TARGETS nnn nnn_core nnn_studies nnn_baseline nnn_tracking_records nnn_fmt nnn_abi
  EXPORT nnnTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/nnn/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/nnn
  FILES_MATCHING PATTERN "*.h" PATTERN "yaml_reader.h" EXCLUDE
  PATTERN "serve" EXCLUDE)
install(FILES ${PROJECT_BINARY_DIR}/generated/nnn/version.h
  DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/nnn)
install(EXPORT nnnTargets NAMESPACE nnn:: DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nnn)
configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/nnnConfig.cmake.in
  ${PROJECT_BINARY_DIR}/nnnConfig.cmake INSTALL_DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nnn)
write_basic_package_version_file(${PROJECT_BINARY_DIR}/nnnConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/nnnConfig.cmake ${PROJECT_BINARY_DIR}/nnnConfigVersion.cmake
  ${PROJECT_SOURCE_DIR}/cmake/NnnFindTorch.cmake
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/cmake/nnn)
