# Tests run by `scripts/test` (ctest).  tshark always loads the plugin from
# this build tree (scripts/tshark-build), as 'nobody' when ctest runs as root.

add_test(NAME plugin-exports
  COMMAND ${CMAKE_SOURCE_DIR}/tests/check-exports.sh $<TARGET_FILE:cisco-capf> ${WS_VER})

add_test(NAME registered-fields
  COMMAND ${CMAKE_SOURCE_DIR}/tests/check-fields.sh ${CMAKE_BINARY_DIR}
          ${CMAKE_SOURCE_DIR}/tests/required-fields.txt)

add_test(NAME registered-ports
  COMMAND ${CMAKE_SOURCE_DIR}/tests/check-registration.sh ${CMAKE_BINARY_DIR})

# One test per capture: expected table (one-pass and -2) and assertions.
file(GLOB CAPF_TEST_CAPTURES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/test-captures/*.pcapng)
foreach(capture ${CAPF_TEST_CAPTURES})
  get_filename_component(stem ${capture} NAME_WE)
  add_test(NAME capture:${stem}
    COMMAND ${CMAKE_SOURCE_DIR}/scripts/check-capture -B ${CMAKE_BINARY_DIR} ${capture})
  set_tests_properties(capture:${stem} PROPERTIES LABELS captures)
endforeach()

# Trust lists: the plugin agrees with an independent openssl check.
# itl-truncated.pcapng is left out: its transfer never completes, so there is
# no file to compare (the plugin flags the cut, see its .assert).
file(GLOB CAPF_TRUST_CAPTURES CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/test-captures/itl-*.pcapng ${CMAKE_SOURCE_DIR}/test-captures/ctl*.pcapng)
list(FILTER CAPF_TRUST_CAPTURES EXCLUDE REGEX "/itl-truncated\\.pcapng$")
foreach(capture ${CAPF_TRUST_CAPTURES})
  get_filename_component(stem ${capture} NAME_WE)
  add_test(NAME openssl-crosscheck:${stem}
    COMMAND ${CMAKE_SOURCE_DIR}/tests/check-itl-crosscheck.py ${CMAKE_BINARY_DIR} ${capture})
endforeach()

# Export Objects (issue 16): with the plugin loaded, tshark --export-objects
# tftp and http, one-pass and two-pass, gives back every file the capture
# carries byte for byte (rebuilt without the plugin); a transfer that never
# completes (itl-truncated) is not exported.  The signed files and phone
# configurations (sgn-*, cnf-*) too.
file(GLOB CAPF_EXPORT_CAPTURES CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/test-captures/itl-*.pcapng ${CMAKE_SOURCE_DIR}/test-captures/ctl*.pcapng
  ${CMAKE_SOURCE_DIR}/test-captures/verdict-*.pcapng ${CMAKE_SOURCE_DIR}/test-captures/sgn-*.pcapng
  ${CMAKE_SOURCE_DIR}/test-captures/cnf-*.pcapng)
foreach(capture ${CAPF_EXPORT_CAPTURES})
  get_filename_component(stem ${capture} NAME_WE)
  add_test(NAME export-objects:${stem}
    COMMAND ${CMAKE_SOURCE_DIR}/tests/check-export-objects.py ${CMAKE_BINARY_DIR} ${capture})
  set_tests_properties(export-objects:${stem} PROPERTIES LABELS captures)
endforeach()

# Reports (issue 6).  itl-show on every trust-list file against a reviewed
# text; tshark -z itl,show on every capture with trust lists against a
# reviewed text, and identical to itl-show on the files Wireshark exports;
# itl-show on cut and broken copies (runs under ASan in the sanitizer pass).
file(GLOB CAPF_TLV_FILES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/test-captures/files/*.tlv)
foreach(file ${CAPF_TLV_FILES})
  get_filename_component(name ${file} NAME)
  add_test(NAME itl-show:${name}
    COMMAND ${CMAKE_SOURCE_DIR}/tests/check-itl-show.py file ${CMAKE_BINARY_DIR} ${file}
            ${CMAKE_SOURCE_DIR}/test-captures/expected/files/${name}.show)
  set_tests_properties(itl-show:${name} PROPERTIES LABELS captures)
endforeach()
foreach(name itl-sha1.tlv ctl.tlv itl-cucm-certhash.tlv)
  add_test(NAME itl-show-garbled:${name}
    COMMAND ${CMAKE_SOURCE_DIR}/tests/check-itl-show.py garbled ${CMAKE_BINARY_DIR}
            ${CMAKE_SOURCE_DIR}/test-captures/files/${name})
  set_tests_properties(itl-show-garbled:${name} PROPERTIES LABELS captures)
endforeach()
file(GLOB CAPF_SHOW_CAPTURES CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/test-captures/itl-*.pcapng ${CMAKE_SOURCE_DIR}/test-captures/ctl*.pcapng
  ${CMAKE_SOURCE_DIR}/test-captures/verdict-*.pcapng)
foreach(capture ${CAPF_SHOW_CAPTURES})
  get_filename_component(stem ${capture} NAME_WE)
  add_test(NAME itl-show-tap:${stem}
    COMMAND ${CMAKE_SOURCE_DIR}/tests/check-itl-show.py capture ${CMAKE_BINARY_DIR} ${capture}
            ${CMAKE_SOURCE_DIR}/test-captures/expected/${stem}.itl-show)
  set_tests_properties(itl-show-tap:${stem} PROPERTIES LABELS captures)
endforeach()

# -z capf,phones on the 60-phone capture against what its generator did, and
# on other captures against a truth written from their scenario (with the
# story's columns: first verdict, trust list, configuration).
file(GLOB CAPF_PHONES_TRUTHS CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/test-captures/expected/*.phones.truth)
foreach(truth ${CAPF_PHONES_TRUTHS})
  get_filename_component(name ${truth} NAME)
  string(REGEX REPLACE "\\.phones\\.truth$" "" stem ${name})
  add_test(NAME capf-phones:${stem}
    COMMAND ${CMAKE_SOURCE_DIR}/tests/check-phones.py ${CMAKE_BINARY_DIR}
            ${CMAKE_SOURCE_DIR}/test-captures/${stem}.pcapng ${truth})
  set_tests_properties(capf-phones:${stem} PROPERTIES LABELS captures)
endforeach()

# -z capf,tree against the same captures read field by field.
foreach(stem capf-fleet 3p-capfd-multi-session capf-syn-dropped capf-refused capf-trust-alert
             capf-server-stall capf-keygen-failed)
  add_test(NAME capf-tree:${stem}
    COMMAND ${CMAKE_SOURCE_DIR}/tests/check-capf-tree.py ${CMAKE_BINARY_DIR}
            ${CMAKE_SOURCE_DIR}/test-captures/${stem}.pcapng)
  set_tests_properties(capf-tree:${stem} PROPERTIES LABELS captures)
endforeach()

# The memory of signature verifications (cisco-crypto.c): a file verified
# again is answered from it with the same result, a changed byte is not.
add_executable(test-verify-cache
  tests/test-verify-cache.c
  dissectors/cisco-tlv.c
  dissectors/cisco-crypto.c
  dissectors/cisco-cert.c
)
capf_common_settings(test-verify-cache)
add_test(NAME verify-cache
  COMMAND test-verify-cache ${CMAKE_SOURCE_DIR}/test-captures/files/itl-sha1.tlv
          ${CMAKE_SOURCE_DIR}/test-captures/files/itl-tampered.tlv)
set_tests_properties(verify-cache PROPERTIES LABELS captures)

# No tax on other traffic: no post-dissector of the plugin wants a field
# (one would make tshark build a protocol tree for every frame).  The
# dissectors are registered with libwireshark by the libFuzzer harness's
# set-up, compiled here without libFuzzer.
add_executable(test-no-fields tests/test-no-fields.c tests/fuzz/fuzz-cisco.c plugin/plugin.c
               ${CAPF_DISSECTOR_SOURCES})
capf_common_settings(test-no-fields)
target_compile_definitions(test-no-fields PRIVATE PLUGIN_VERSION="${PROJECT_VERSION}")
target_link_libraries(test-no-fields PRIVATE wiretap wsutil)
add_test(NAME no-wanted-fields COMMAND test-no-fields)

# -z expert names CAPF / ITL for the post-dissectors' verdicts.
add_test(NAME expert-protocol COMMAND ${CMAKE_SOURCE_DIR}/tests/check-expert-protocol.sh ${CMAKE_BINARY_DIR})

# The strict DER walk of certificates and keys (cisco-cert.c) against GnuTLS,
# on every certificate and key in the test data and many mutations of them.
add_executable(test-cert-parity tests/test-cert-parity.c dissectors/cisco-crypto.c dissectors/cisco-cert.c)
capf_common_settings(test-cert-parity)
file(GLOB CAPF_CERT_PARITY_INPUTS CONFIGURE_DEPENDS
  ${CMAKE_SOURCE_DIR}/test-captures/*.pcapng ${CMAKE_SOURCE_DIR}/test-captures/files/*.tlv
  ${CMAKE_SOURCE_DIR}/tests/generators/fixtures/*/*.pem)
add_test(NAME cert-parity COMMAND test-cert-parity ${CAPF_CERT_PARITY_INPUTS})
