# TeselasSeedDraw.cmake — `teselas-seed` without cairo, libpng, fontconfig and FreeType linked:
# render/'s drawing files (the only ones that use them) are built a second time, position
# independent, into teselas-seed-draw.so beside the binary, which tileserver/seed_draw.c opens on
# the first PNG tile or font registry. Their calls into the other modules resolve to the
# binary's own symbols (it exports them), so the module holds no second copy of any module.
set(SEED_DRAW_FILES fonts glyphs render draw label png raster)
list(TRANSFORM SEED_DRAW_FILES PREPEND ${PROJECT_SOURCE_DIR}/tileserver/render/)
list(TRANSFORM SEED_DRAW_FILES APPEND .c)

# Compiled as sources of render are (teselas_module_probe's include roots and poison headers).
set(root ${CMAKE_BINARY_DIR}/layering/render)
add_library(teselas-seed-draw MODULE ${SEED_DRAW_FILES})
set_target_properties(teselas-seed-draw PROPERTIES PREFIX "" POSITION_INDEPENDENT_CODE ON
  LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
target_include_directories(teselas-seed-draw BEFORE PRIVATE ${root}/poison)
target_include_directories(teselas-seed-draw PRIVATE ${root}/private
  $<TARGET_PROPERTY:teselas_render,INTERFACE_INCLUDE_DIRECTORIES>)
target_compile_definitions(teselas-seed-draw PRIVATE TESELAS_VERSION="${PROJECT_VERSION}"
  TESELAS_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
target_link_libraries(teselas-seed-draw PRIVATE PkgConfig::CAIRO PkgConfig::PNG
  PkgConfig::FONTCONFIG PkgConfig::FREETYPE PkgConfig::JANSSON m)
# its own calls among its files stay its own
target_link_options(teselas-seed-draw PRIVATE -Wl,-Bsymbolic)

# The binary: the four entry points of those files (seed_draw.c) take the place of the files
# themselves, its symbols exported for the module, and only the libraries it calls kept.
target_sources(teselas-seed PRIVATE ${PROJECT_SOURCE_DIR}/tileserver/seed_draw.c)
target_include_directories(teselas-seed PRIVATE ${root}/private ${CAIRO_INCLUDE_DIRS})
set_target_properties(teselas-seed PROPERTIES ENABLE_EXPORTS ON)
target_link_options(teselas-seed PRIVATE -Wl,--as-needed)
# render/'s other files that only those call (expressions, features, basemaps), kept in the binary
# by one symbol each; a missing one fails the module's dlopen (test_seed_archives.sh draws with it)
foreach(sym render_expr_eval render_features_fetch render_basemap_load)
  target_link_options(teselas-seed PRIVATE -Wl,--undefined=${sym})
endforeach()
add_dependencies(teselas-seed teselas-seed-draw)
