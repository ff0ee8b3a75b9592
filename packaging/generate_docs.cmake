# Man pages and bash completion made from the programs' own --help at build time, so that they
# cannot drift from the options (issue #21). Run as a script:
#   cmake -DPATCHOUT=path/to/patchout [-DWORKBENCH=path/to/patchout-workbench] -DVERSION=x.y.z
#         -DOUT=dir -P generate_docs.cmake
# Writes OUT/patchout.1 (every subcommand, nested ones too, with its --help), OUT/patchout-workbench.1
# and OUT/patchout (the bash completion: subcommands, then each one's options, files otherwise).
cmake_minimum_required(VERSION 3.25)

foreach(var PATCHOUT VERSION OUT)
  if(NOT DEFINED ${var})
    message(FATAL_ERROR "generate_docs.cmake: -D${var}=... is required")
  endif()
endforeach()
file(MAKE_DIRECTORY ${OUT})
string(TIMESTAMP today "%Y-%m-%d" UTC)

# The --help text of `program args... --help`, with QT_QPA_PLATFORM=offscreen for the workbench.
function(help_of out)
  execute_process(COMMAND ${CMAKE_COMMAND} -E env QT_QPA_PLATFORM=offscreen ${ARGN} --help
                  OUTPUT_VARIABLE text ERROR_VARIABLE err RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "generate_docs.cmake: `${ARGN} --help` failed (${rc}): ${err}")
  endif()
  list(GET ARGN 0 program)
  get_filename_component(name ${program} NAME)
  string(REPLACE "${program}" "${name}" text "${text}")  # Qt's usage line names argv[0] as given
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# Lines of a help text's "Subcommands:" section: their names.
function(subcommands_of text out)
  set(names "")
  string(FIND "${text}" "\nSubcommands:\n" at)
  if(at GREATER -1)
    math(EXPR at "${at} + 14")
    string(SUBSTRING "${text}" ${at} -1 section)
    string(REPLACE ";" "," section "${section}")  # a ; in a description would split its line
    string(REPLACE "\n" ";" lines "${section}")
    foreach(line IN LISTS lines)
      if(line MATCHES "^  ([a-z][a-z0-9-]*)( |$)")
        list(APPEND names ${CMAKE_MATCH_1})
      elseif(NOT line MATCHES "^  ")
        break()
      endif()
    endforeach()
  endif()
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

# The --long options named at the start of the help's option lines.
function(options_of text out)
  set(names "")
  string(REPLACE ";" "," text "${text}")
  string(REPLACE "\n" ";" lines "${text}")
  foreach(line IN LISTS lines)
    if(line MATCHES "^  (-[a-zA-Z0-9?],)?(--[a-z0-9_-]+)")
      list(APPEND names ${CMAKE_MATCH_2})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES names)
  set(${out} "${names}" PARENT_SCOPE)
endfunction()

# Text as troff: backslashes and hyphens escaped, a line starting with . or ' protected.
function(troff text out)
  string(REPLACE "\\" "\\e" text "${text}")
  string(REPLACE "-" "\\-" text "${text}")
  string(REGEX REPLACE "(^|\n)([.'])" "\\1\\\\&\\2" text "${text}")
  set(${out} "${text}" PARENT_SCOPE)
endfunction()

# ---- patchout.1 and the completion's word lists, walking the subcommands ---------------------
set(man_commands "")
set(completion_cases "")
set(queue "")  # paths to visit: "" is the program itself, "dataset info" a nested subcommand
list(APPEND queue "<top>")
while(queue)
  list(POP_FRONT queue path)
  if(path STREQUAL "<top>")
    set(args "")
    set(key "")
  else()
    string(REPLACE " " ";" args "${path}")
    set(key "${path}")
  endif()
  help_of(text ${PATCHOUT} ${args})
  subcommands_of("${text}" subs)
  options_of("${text}" opts)
  foreach(sub IN LISTS subs)
    if(key STREQUAL "")
      list(APPEND queue "${sub}")
    else()
      list(APPEND queue "${key} ${sub}")
    endif()
  endforeach()
  string(REPLACE ";" " " subs_words "${subs}")
  string(REPLACE ";" " " opts_words "${opts}")
  string(APPEND completion_cases "    \"${key}\") subs=\"${subs_words}\"; opts=\"${opts_words}\" ;;\n")
  if(NOT key STREQUAL "")
    troff("${text}" body)
    string(APPEND man_commands ".SS patchout ${key}\n.nf\n${body}\n.fi\n")
  else()
    troff("${text}" top)
  endif()
endwhile()

file(WRITE ${OUT}/patchout.1 ".TH PATCHOUT 1 \"${today}\" \"patchout ${VERSION}\" \"Patchout Workbench\"
.SH NAME
patchout \\- audio transformers trained with patchout (PaSST): train, evaluate, classify, embed, profile, prune
.SH SYNOPSIS
.B patchout
[\\fIOPTIONS\\fR] \\fISUBCOMMAND\\fR [\\fIARGS\\fR]
.SH DESCRIPTION
The command-line face of Patchout Workbench: the same jobs as the workbench, the same run folders.
Flags are snake_case like the config keys; the kebab-case spelling works for every one of them.
This page is made from the program's own \\fB\\-\\-help\\fR at build time.
.PP
.nf
${top}
.fi
.SH SUBCOMMANDS
${man_commands}.SH EXIT STATUS
0 on success; 1 when the job failed; 2 for an unexpected error; 3 when a batch job (classify,
embed) skipped files it could not decode (results written, errors.csv lists them); 4 when none
could be used; 130 when cancelled; CLI11's codes (above 100) for bad arguments.
.SH SEE ALSO
.BR patchout-workbench (1)
")

file(WRITE ${OUT}/patchout "# bash completion for patchout, made from its --help at build time (packaging/generate_docs.cmake)
_patchout() {
  local cur=\${COMP_WORDS[COMP_CWORD]} path=\"\" subs opts i w
  _patchout_words() {
    subs=\"\" opts=\"\"
    case \"\$1\" in
${completion_cases}    *) return 1 ;;
    esac
  }
  for ((i = 1; i < COMP_CWORD; i++)); do
    w=\${COMP_WORDS[i]}
    [[ \$w == -* ]] && continue
    _patchout_words \"\$path\"
    [[ \" \$subs \" == *\" \$w \"* ]] && path=\"\${path:+\$path }\$w\"
  done
  _patchout_words \"\$path\"
  if [[ \$cur == -* ]]; then
    COMPREPLY=(\$(compgen -W \"\$opts\" -- \"\$cur\"))
  elif [[ -n \$subs ]]; then
    COMPREPLY=(\$(compgen -W \"\$subs\" -- \"\$cur\"))
  else
    COMPREPLY=(\$(compgen -f -- \"\$cur\"))
  fi
}
complete -o filenames -F _patchout patchout
")

# ---- patchout-workbench.1 ----------------------------------------------------------------------
if(DEFINED WORKBENCH AND NOT WORKBENCH STREQUAL "")
  help_of(text ${WORKBENCH})
  troff("${text}" body)
  file(WRITE ${OUT}/patchout-workbench.1 ".TH PATCHOUT-WORKBENCH 1 \"${today}\" \"patchout-workbench ${VERSION}\" \"Patchout Workbench\"
.SH NAME
patchout-workbench \\- desktop workbench for audio transformers trained with patchout (PaSST)
.SH SYNOPSIS
.B patchout-workbench
[\\fIOPTIONS\\fR] [\\fIFILE\\fR]
.SH DESCRIPTION
Listen to a recording with its log-mel spectrogram and a model's classes over time, see what
patchout drops, train, explore embeddings, evaluate against a classical floor, and profile, prune and
share a model's weights. Without a display it says so and exits 1: run it under
\\fBxvfb-run -a\\fR or with \\fBQT_QPA_PLATFORM=offscreen\\fR. This page is made from the program's own
\\fB\\-\\-help\\fR at build time.
.PP
.nf
${body}
.fi
.SH SEE ALSO
.BR patchout (1)
")
endif()
