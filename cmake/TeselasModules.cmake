# TeselasModules.cmake — one static library per module, with the module graph enforced by the
# compiler rather than by review.
#
#   teselas_module(NAME [DEPS module...] [USES syslib...] [SOURCES file...])
#
# builds teselas_NAME from the *.c of the calling folder. What its sources may #include is only:
#  - its own headers and the public headers of the modules in DEPS (and, through them, of their
#    DEPS): each module gets an include root of its own in the build tree, layering/NAME/public,
#    holding links to its public headers only (*_int.h stay in layering/NAME/private, seen by the
#    module alone). There is no include path to the whole source tree, so "store/store.h" from a
#    module that does not depend on store is "No such file or directory";
#  - the system libraries in USES: for every other library of TESELAS_SYSTEM_LIBS, a "poison"
#    header of the same name comes first in the module's search path and stops the compile with
#    a message naming the module and the library (SQLite's and GDAL's headers live in
#    /usr/include, where any module would otherwise find them).
# Links follow the same declaration: DEPS publicly (a dependent may use what its dependency's
# headers show), USES privately. A new folder is one add_subdirectory() in the top CMakeLists.txt
# and one teselas_module() line in the folder; tests/layering checks the rules hold.

# The system libraries a module may be allowed, with the headers each one owns.
set(TESELAS_SYSTEM_LIBS GDAL GEOS PROJ SQLITE SPATIALITE CAIRO PNG ZLIB JANSSON NETTLE
  FONTCONFIG FREETYPE CURL PQ SODIUM MINIZIP SYSTEMD DEFLATE)
set(TESELAS_LIB_NAME_GDAL "GDAL")
set(TESELAS_LIB_HEADERS_GDAL gdal.h gdal_version.h ogr_api.h ogr_core.h ogr_srs_api.h cpl_conv.h
  cpl_error.h cpl_port.h cpl_string.h cpl_vsi.h)
set(TESELAS_LIB_NAME_GEOS "GEOS")
set(TESELAS_LIB_HEADERS_GEOS geos_c.h)
set(TESELAS_LIB_NAME_PROJ "PROJ")
set(TESELAS_LIB_HEADERS_PROJ proj.h)
set(TESELAS_LIB_NAME_SQLITE "SQLite")
set(TESELAS_LIB_HEADERS_SQLITE sqlite3.h)
set(TESELAS_LIB_NAME_SPATIALITE "SpatiaLite")
set(TESELAS_LIB_HEADERS_SPATIALITE spatialite.h)
set(TESELAS_LIB_NAME_CAIRO "cairo")
set(TESELAS_LIB_HEADERS_CAIRO cairo.h)
set(TESELAS_LIB_NAME_PNG "libpng")
set(TESELAS_LIB_HEADERS_PNG png.h)
set(TESELAS_LIB_NAME_ZLIB "zlib")
set(TESELAS_LIB_HEADERS_ZLIB zlib.h)
set(TESELAS_LIB_NAME_JANSSON "jansson")
set(TESELAS_LIB_HEADERS_JANSSON jansson.h)
set(TESELAS_LIB_NAME_NETTLE "nettle")
set(TESELAS_LIB_HEADERS_NETTLE nettle/sha2.h)
set(TESELAS_LIB_NAME_FONTCONFIG "fontconfig")
set(TESELAS_LIB_HEADERS_FONTCONFIG fontconfig/fontconfig.h)
set(TESELAS_LIB_NAME_FREETYPE "FreeType")
set(TESELAS_LIB_HEADERS_FREETYPE ft2build.h)
set(TESELAS_LIB_NAME_CURL "libcurl")
set(TESELAS_LIB_HEADERS_CURL curl/curl.h)
set(TESELAS_LIB_NAME_PQ "libpq")
set(TESELAS_LIB_HEADERS_PQ libpq-fe.h)
set(TESELAS_LIB_NAME_SODIUM "libsodium")
set(TESELAS_LIB_HEADERS_SODIUM sodium.h)
set(TESELAS_LIB_NAME_MINIZIP "minizip")
set(TESELAS_LIB_HEADERS_MINIZIP unzip.h)
set(TESELAS_LIB_NAME_SYSTEMD "libsystemd")
set(TESELAS_LIB_HEADERS_SYSTEMD systemd/sd-daemon.h)
set(TESELAS_LIB_NAME_DEFLATE "libdeflate")
set(TESELAS_LIB_HEADERS_DEFLATE libdeflate.h)
foreach(lib ${TESELAS_SYSTEM_LIBS})
  set(TESELAS_LIB_TARGET_${lib} PkgConfig::${lib})
endforeach()
set(TESELAS_LIB_TARGET_GEOS teselas_geos) # from geos-config, which has no pkg-config file here

function(teselas_module name)
  cmake_parse_arguments(M "" "" "DEPS;USES;SOURCES" ${ARGN})
  set(dir ${CMAKE_CURRENT_SOURCE_DIR})
  # The include prefix is the folder's path below tileserver/ (or below the source root for the
  # top-level folders): "geom/geom.h", "importers/import.h", "importers/demo/demo.h".
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR}/tileserver ${dir})
  if(rel MATCHES "^\\.\\.")
    file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${dir})
  endif()
  file(GLOB sources CONFIGURE_DEPENDS ${dir}/*.c)
  add_library(teselas_${name} STATIC ${sources} ${M_SOURCES})

  set(root ${CMAKE_BINARY_DIR}/layering/${name})
  # Rebuilt at every configure, so a header removed or a library newly allowed leaves nothing stale.
  file(REMOVE_RECURSE ${root}/public ${root}/private ${root}/poison)
  file(GLOB headers CONFIGURE_DEPENDS ${dir}/*.h)
  foreach(h ${headers})
    get_filename_component(base ${h} NAME)
    if(base MATCHES "_int\\.h$")
      set(side private)
    else()
      set(side public)
    endif()
    file(MAKE_DIRECTORY ${root}/${side}/${rel})
    file(CREATE_LINK ${h} ${root}/${side}/${rel}/${base} SYMBOLIC)
  endforeach()
  file(MAKE_DIRECTORY ${root}/public ${root}/private)

  foreach(lib ${TESELAS_SYSTEM_LIBS})
    if(lib IN_LIST M_USES)
      continue()
    endif()
    foreach(h ${TESELAS_LIB_HEADERS_${lib}})
      file(WRITE ${root}/poison/${h}
        "#error \"teselas layering: module ${name} may not use ${TESELAS_LIB_NAME_${lib}} (${h}); \
add it to USES in its teselas_module() only if the module graph allows it\"\n")
    endforeach()
  endforeach()
  file(MAKE_DIRECTORY ${root}/poison)

  target_include_directories(teselas_${name} BEFORE PRIVATE ${root}/poison)
  target_include_directories(teselas_${name} PRIVATE ${root}/private PUBLIC ${root}/public)
  target_compile_definitions(teselas_${name} PRIVATE TESELAS_VERSION="${PROJECT_VERSION}"
    TESELAS_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
  list(TRANSFORM M_DEPS PREPEND teselas_ OUTPUT_VARIABLE dep_targets)
  set(use_targets)
  foreach(lib ${M_USES})
    list(APPEND use_targets ${TESELAS_LIB_TARGET_${lib}})
  endforeach()
  target_link_libraries(teselas_${name} PUBLIC ${dep_targets} PRIVATE ${use_targets}
    Threads::Threads m)
  set_property(GLOBAL APPEND PROPERTY TESELAS_MODULES ${name})
  set_property(GLOBAL PROPERTY TESELAS_USES_${name} ${M_USES})
  set_property(GLOBAL PROPERTY TESELAS_DEPS_${name} ${M_DEPS})
endfunction()

# An object library compiled exactly as a source file of module `module` would be (its include
# roots, poison headers and libraries), for the layering tests. Not part of `all`.
function(teselas_module_probe target module source)
  add_library(${target} OBJECT EXCLUDE_FROM_ALL ${source})
  set(root ${CMAKE_BINARY_DIR}/layering/${module})
  get_property(uses GLOBAL PROPERTY TESELAS_USES_${module})
  set(use_targets)
  foreach(lib ${uses})
    list(APPEND use_targets ${TESELAS_LIB_TARGET_${lib}})
  endforeach()
  target_include_directories(${target} BEFORE PRIVATE ${root}/poison)
  target_include_directories(${target} PRIVATE ${root}/private)
  target_link_libraries(${target} PRIVATE teselas_${module} ${use_targets})
endfunction()
