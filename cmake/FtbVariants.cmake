# One source list, three libraries: the runtime (and, later, the workloads) are compiled once per
# locking variant, one compile definition apart (oneTBB builds its hwloc bindings the same way).

# ftb_variant_define(<variant> <out-var>): the definition that selects a variant.
function(ftb_variant_define variant out)
  string(TOUPPER "${variant}" upper)
  set(${out} "FTB_VARIANT_${upper}" PARENT_SCOPE)
endfunction()

# ftb_add_runtime_variant(<variant> SOURCES ... [EXTRA_SOURCES ...]): builds ftb_runtime_<variant>.
function(ftb_add_runtime_variant variant)
  cmake_parse_arguments(ARG "" "" "SOURCES;EXTRA_SOURCES" ${ARGN})
  ftb_variant_define(${variant} define)
  add_library(ftb_runtime_${variant} STATIC ${ARG_SOURCES} ${ARG_EXTRA_SOURCES})
  target_compile_definitions(ftb_runtime_${variant} PUBLIC ${define}
                             $<$<BOOL:${FTB_DEBUG_CHECKS}>:FTB_DEBUG_CHECKS>)
  target_include_directories(ftb_runtime_${variant} PUBLIC ${PROJECT_SOURCE_DIR}/runtime/include)
  target_link_libraries(ftb_runtime_${variant} PUBLIC ftb_primitives ftb_base mimalloc Threads::Threads)
endfunction()
