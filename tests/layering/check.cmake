# check.cmake — builds one probe target (an object library compiled as a source of one module)
# and checks the outcome: with EXPECT set, the compile must fail and the compiler's output must
# contain EXPECT; without it, the compile must succeed.
#   cmake -DBUILD_DIR=... -DTARGET=... [-DEXPECT=...] -P check.cmake
execute_process(COMMAND ${CMAKE_COMMAND} --build ${BUILD_DIR} --target ${TARGET}
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
if(DEFINED EXPECT AND NOT EXPECT STREQUAL "")
  if(rc EQUAL 0)
    message(FATAL_ERROR "${TARGET} compiled, but the layering rules forbid it:\n${out}")
  endif()
  string(FIND "${out}" "${EXPECT}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "${TARGET} failed, but not with \"${EXPECT}\":\n${out}")
  endif()
  message(STATUS "${TARGET}: refused as expected (${EXPECT})")
else()
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${TARGET} must compile:\n${out}")
  endif()
  message(STATUS "${TARGET}: compiles")
endif()
