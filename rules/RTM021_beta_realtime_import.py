"""RTM021: imports from the preview SDK namespaces `openai.types.beta.realtime` / `openai.resources.beta.realtime`.

The tables are data derived from the installed `openai` package (3.54) by script and are
re-derived by tests/test_sdk_tables.py, which fails when the package disagrees. They are not
imported from `openai` at runtime: it is only a test dependency.
"""

from realtime_migrate.rule import Example, FixAvailability, Rule

# G2: names exported by both `openai.types.beta.realtime` and `openai.types.realtime` (57).
SHARED_NAMES = (
    "ConversationCreatedEvent", "ConversationItem", "ConversationItemCreateEvent",
    "ConversationItemCreateEventParam", "ConversationItemCreatedEvent", "ConversationItemDeleteEvent",
    "ConversationItemDeleteEventParam", "ConversationItemDeletedEvent",
    "ConversationItemInputAudioTranscriptionCompletedEvent",
    "ConversationItemInputAudioTranscriptionDeltaEvent", "ConversationItemInputAudioTranscriptionFailedEvent",
    "ConversationItemParam", "ConversationItemRetrieveEvent", "ConversationItemRetrieveEventParam",
    "ConversationItemTruncateEvent", "ConversationItemTruncateEventParam", "ConversationItemTruncatedEvent",
    "InputAudioBufferAppendEvent", "InputAudioBufferAppendEventParam", "InputAudioBufferClearEvent",
    "InputAudioBufferClearEventParam", "InputAudioBufferClearedEvent", "InputAudioBufferCommitEvent",
    "InputAudioBufferCommitEventParam", "InputAudioBufferCommittedEvent", "InputAudioBufferSpeechStartedEvent",
    "InputAudioBufferSpeechStoppedEvent", "RateLimitsUpdatedEvent", "RealtimeClientEvent",
    "RealtimeClientEventParam", "RealtimeConnectParams", "RealtimeResponse", "RealtimeResponseStatus",
    "RealtimeResponseUsage", "RealtimeServerEvent", "ResponseAudioDeltaEvent", "ResponseAudioDoneEvent",
    "ResponseAudioTranscriptDeltaEvent", "ResponseAudioTranscriptDoneEvent", "ResponseCancelEvent",
    "ResponseCancelEventParam", "ResponseContentPartAddedEvent", "ResponseContentPartDoneEvent",
    "ResponseCreateEvent", "ResponseCreateEventParam", "ResponseCreatedEvent", "ResponseDoneEvent",
    "ResponseFunctionCallArgumentsDeltaEvent", "ResponseFunctionCallArgumentsDoneEvent",
    "ResponseOutputItemAddedEvent", "ResponseOutputItemDoneEvent", "ResponseTextDeltaEvent",
    "ResponseTextDoneEvent", "SessionCreatedEvent", "SessionUpdateEvent", "SessionUpdateEventParam",
    "SessionUpdatedEvent",
)
SHARED_MODULES = (
    "conversation_created_event", "conversation_item", "conversation_item_create_event",
    "conversation_item_create_event_param", "conversation_item_created_event", "conversation_item_delete_event",
    "conversation_item_delete_event_param", "conversation_item_deleted_event",
    "conversation_item_input_audio_transcription_completed_event",
    "conversation_item_input_audio_transcription_delta_event",
    "conversation_item_input_audio_transcription_failed_event", "conversation_item_param",
    "conversation_item_retrieve_event", "conversation_item_retrieve_event_param",
    "conversation_item_truncate_event", "conversation_item_truncate_event_param",
    "conversation_item_truncated_event", "input_audio_buffer_append_event",
    "input_audio_buffer_append_event_param", "input_audio_buffer_clear_event",
    "input_audio_buffer_clear_event_param", "input_audio_buffer_cleared_event",
    "input_audio_buffer_commit_event", "input_audio_buffer_commit_event_param",
    "input_audio_buffer_committed_event", "input_audio_buffer_speech_started_event",
    "input_audio_buffer_speech_stopped_event", "rate_limits_updated_event", "realtime_client_event",
    "realtime_client_event_param", "realtime_connect_params", "realtime_response", "realtime_response_status",
    "realtime_response_usage", "realtime_server_event", "response_audio_delta_event",
    "response_audio_done_event", "response_audio_transcript_delta_event",
    "response_audio_transcript_done_event", "response_cancel_event", "response_cancel_event_param",
    "response_content_part_added_event", "response_content_part_done_event", "response_create_event",
    "response_create_event_param", "response_created_event", "response_done_event",
    "response_function_call_arguments_delta_event", "response_function_call_arguments_done_event",
    "response_output_item_added_event", "response_output_item_done_event", "response_text_delta_event",
    "response_text_done_event", "session_created_event", "session_update_event", "session_update_event_param",
    "session_updated_event",
)

# G3: classes GA renamed with the same meaning. "module:Name" (module "" = the package itself).
CLASS_RENAMES = {
    ":ErrorEvent": ":RealtimeErrorEvent",
    "error_event:ErrorEvent": "realtime_error_event:RealtimeErrorEvent",
    "error_event:Error": "realtime_error:RealtimeError",
    "realtime_client_event:OutputAudioBufferClear": "output_audio_buffer_clear_event:OutputAudioBufferClearEvent",
    "realtime_client_event_param:OutputAudioBufferClear":
        "output_audio_buffer_clear_event_param:OutputAudioBufferClearEventParam",
    "conversation_item_input_audio_transcription_completed_event:Logprob": "log_prob_properties:LogProbProperties",
    "conversation_item_input_audio_transcription_delta_event:Logprob": "log_prob_properties:LogProbProperties",
    "realtime_response_usage:InputTokenDetails":
        "realtime_response_usage_input_token_details:RealtimeResponseUsageInputTokenDetails",
    "realtime_response_usage:OutputTokenDetails":
        "realtime_response_usage_output_token_details:RealtimeResponseUsageOutputTokenDetails",
}

# G4: beta names with a different GA equivalent. (target or None, what to do). A target means a
# 1:1 replacement offered as an unsafe fix (the shape differs: the code using it needs review).
_SESSION = "RealtimeSessionCreateRequest (a session you send) or RealtimeSessionCreateResponse (one you receive)"
_TSESSION = ("RealtimeTranscriptionSessionCreateRequest (a session you send) or "
             "RealtimeTranscriptionSessionCreateResponse (one you receive)")
_CONTENT = ("per-role content: the `Content` classes of realtime_conversation_item_{user,assistant,system}_message"
            "(_param)")
_WITH_REF = "ConversationItem(Param) for items, ResponseItemReference(Param) for `{type: item_reference, id}`"
_ITEMS = {
    "Session": (None, _SESSION),
    "SessionCreateParams": (":ClientSecretCreateParams", "the body is now {expires_after, session: {type, ...}}"),
    "SessionCreateResponse": (":ClientSecretCreateResponse", "the key is now at `.value`, the session at `.session`"),
    "TranscriptionSession": (None, _TSESSION),
    "TranscriptionSessionCreateParams": (":ClientSecretCreateParams",
                                         'the body is now {expires_after, session: {type: "transcription", ...}}'),
    "TranscriptionSessionUpdate": (":SessionUpdateEvent", 'send session.update with session.type="transcription"'),
    "TranscriptionSessionUpdateParam": (":SessionUpdateEventParam",
                                        'send session.update with session.type="transcription"'),
    "TranscriptionSessionUpdatedEvent": (":SessionUpdatedEvent", "GA sends session.updated for both session types"),
    "ConversationItemContent": (None, _CONTENT),
    "ConversationItemContentParam": (None, _CONTENT),
    "ConversationItemWithReference": (None, _WITH_REF),
    "ConversationItemWithReferenceParam": (None, _WITH_REF),
}
_MODULE_OF = {
    "Session": "session", "SessionCreateParams": "session_create_params",
    "SessionCreateResponse": "session_create_response", "TranscriptionSession": "transcription_session",
    "TranscriptionSessionCreateParams": "transcription_session_create_params",
    "TranscriptionSessionUpdate": "transcription_session_update",
    "TranscriptionSessionUpdateParam": "transcription_session_update_param",
    "TranscriptionSessionUpdatedEvent": "transcription_session_updated_event",
    "ConversationItemContent": "conversation_item_content",
    "ConversationItemContentParam": "conversation_item_content_param",
    "ConversationItemWithReference": "conversation_item_with_reference",
    "ConversationItemWithReferenceParam": "conversation_item_with_reference_param",
}
_GA_MODULE_OF = {
    "ClientSecretCreateParams": "client_secret_create_params",
    "ClientSecretCreateResponse": "client_secret_create_response",
    "SessionUpdateEvent": "session_update_event", "SessionUpdateEventParam": "session_update_event_param",
    "SessionUpdatedEvent": "session_updated_event",
}
REVIEW: dict[str, tuple[str | None, str]] = {f":{name}": item for name, item in _ITEMS.items()}
REVIEW.update({
    f"{_MODULE_OF[name]}:{name}": ((f"{_GA_MODULE_OF[t[1:]]}:{t[1:]}" if t else None), note)
    for name, (t, note) in _ITEMS.items()
})
_SESSION_HELPERS = {
    "ClientSecret": "the top-level `expires_after` of client_secrets.create (client_secret_create_params.ExpiresAfter)",
    "ClientSecretExpiresAfter": "client_secret_create_params.ExpiresAfter",
    "InputAudioNoiseReduction": "`audio.input.noise_reduction` (RealtimeAudioConfigInput, NoiseReductionType)",
    "InputAudioTranscription": "AudioTranscription (`audio.input.transcription`)",
    "TurnDetection": "RealtimeAudioInputTurnDetection (`audio.input.turn_detection`)",
    "Tool": "RealtimeFunctionTool",
    "Tracing": "RealtimeTracingConfig",
    "TracingTracingConfiguration": "realtime_tracing_config.TracingConfiguration",
}
for _module in ("session_update_event", "session_update_event_param"):
    for _name, _hint in _SESSION_HELPERS.items():
        REVIEW[f"{_module}:Session{_name}"] = (None, _hint)
    # GA has a `Session` here too, but as a Union alias: `Session(...)` would fail, so no rename is offered.
    _p = "Param" if _module.endswith("_param") else ""
    REVIEW[f"{_module}:Session"] = (
        None,
        f"RealtimeSessionCreateRequest{_p} (GA `{_module}.Session` is only the union of it and "
        f"RealtimeTranscriptionSessionCreateRequest{_p})",
    )
for _module in ("response_create_event", "response_create_event_param"):
    _p = "Param" if _module.endswith("_param") else ""
    REVIEW[f"{_module}:Response"] = (f"realtime_response_create_params{_p.lower() and '_param'}:"
                                     f"RealtimeResponseCreateParams{_p}", "fields reshaped (ER1-ER6)")
    REVIEW[f"{_module}:ResponseTool"] = (f"realtime_function_tool{_p.lower() and '_param'}:RealtimeFunctionTool{_p}",
                                         "GA tools also allow MCP tools")

# Shared names that were classes in beta and are (discriminated) union aliases in GA: fine in annotations,
# but `ConversationItem(...)` or `isinstance(x, ConversationItem)` breaks (derived in tests/test_sdk_tables.py).
CLASS_TO_UNION = {
    "ConversationItem": "a union of per-role item classes: construct RealtimeConversationItemUserMessage, "
                        "RealtimeConversationItemAssistantMessage, ... instead",
    "ConversationItemParam": "a union of per-role TypedDicts: build RealtimeConversationItemUserMessageParam, ... "
                             "instead",
}

# Helper classes of the beta-only session modules (`session.TurnDetection`, ...): their GA counterparts.
# Keys drop the `Session` prefix the `transcription_session_update` modules add.
HELPER_HINTS = {
    "ClientSecret": "the top-level `expires_after` of client_secrets.create (client_secret_create_params.ExpiresAfter)",
    "ClientSecretExpiresAfter": "client_secret_create_params.ExpiresAfter",
    "ClientSecretExpiresAt": "client_secret_create_params.ExpiresAfter (renamed and moved to the top level)",
    "InputAudioNoiseReduction": "`audio.input.noise_reduction` (RealtimeAudioConfigInput, NoiseReductionType)",
    "InputAudioTranscription": "AudioTranscription (`audio.input.transcription`)",
    "TurnDetection": "RealtimeAudioInputTurnDetection (`audio.input.turn_detection`)",
    "Tool": "RealtimeFunctionTool",
    "Tracing": "RealtimeTracingConfig",
    "TracingTracingConfiguration": "realtime_tracing_config.TracingConfiguration",
}
TRANSCRIPTION_HELPER_HINTS = {
    "TurnDetection": "RealtimeTranscriptionSessionAudioInputTurnDetection (`audio.input.turn_detection`)",
    "InputAudioNoiseReduction": "`audio.input.noise_reduction` (RealtimeTranscriptionSessionAudioInput)",
}

# Beta-only modules (G4): anything else imported from them is reported with this hint.
BETA_ONLY_MODULES = {
    "conversation_item_content": _CONTENT,
    "conversation_item_content_param": _CONTENT,
    "conversation_item_with_reference": _WITH_REF,
    "conversation_item_with_reference_param": _WITH_REF,
    "error_event": "realtime_error_event / realtime_error",
    "session": _SESSION,
    "session_create_params": "client_secret_create_params (+ RealtimeSessionCreateRequestParam)",
    "session_create_response": "client_secret_create_response",
    "transcription_session": _TSESSION,
    "transcription_session_create_params":
        "client_secret_create_params (+ RealtimeTranscriptionSessionCreateRequestParam)",
    "transcription_session_update": "session_update_event with session.type = \"transcription\"",
    "transcription_session_update_param": "session_update_event_param with session.type = \"transcription\"",
    "transcription_session_updated_event": "session_updated_event",
}

# G5: `openai.resources.beta.realtime[.realtime]` → `openai.resources.realtime[.realtime]`.
RESOURCE_NAMES = {
    "": ("AsyncRealtime", "AsyncRealtimeWithRawResponse", "AsyncRealtimeWithStreamingResponse", "Realtime",
         "RealtimeWithRawResponse", "RealtimeWithStreamingResponse"),
    "realtime": (
        "AsyncRealtime", "AsyncRealtimeConnection", "AsyncRealtimeConnectionManager",
        "AsyncRealtimeConversationItemResource", "AsyncRealtimeConversationResource",
        "AsyncRealtimeInputAudioBufferResource", "AsyncRealtimeOutputAudioBufferResource",
        "AsyncRealtimeResponseResource", "AsyncRealtimeSessionResource", "AsyncRealtimeWithRawResponse",
        "AsyncRealtimeWithStreamingResponse", "BaseAsyncRealtimeConnectionResource", "BaseRealtimeConnectionResource",
        "Realtime", "RealtimeConnection", "RealtimeConnectionManager", "RealtimeConversationItemResource",
        "RealtimeConversationResource", "RealtimeInputAudioBufferResource", "RealtimeOutputAudioBufferResource",
        "RealtimeResponseResource", "RealtimeSessionResource", "RealtimeWithRawResponse",
        "RealtimeWithStreamingResponse",
    ),
}
RESOURCE_HINTS = {
    "Sessions": "openai.resources.realtime.ClientSecrets (client.realtime.client_secrets)",
    "TranscriptionSessions": "openai.resources.realtime.ClientSecrets (client.realtime.client_secrets)",
    "RealtimeTranscriptionSessionResource": "connection.session (session.update with session.type=\"transcription\")",
}

RULE = Rule(
    code="RTM021",
    name="beta-realtime-import",
    summary="An import from the preview SDK namespace `openai.types.beta.realtime` / `openai.resources.beta.realtime`.",
    message="Import from the preview SDK namespace; GA: `openai.types.realtime` / `openai.resources.realtime`",
    matcher="beta_realtime_import",
    # `openai.types.beta.realtime[...]`, `from openai.types.beta import realtime`, `beta.realtime.X`: every
    # form the matcher reads names the parent package in full and `realtime` (a module or a class name).
    triggers=("beta.realtime", "openai.types.beta import", "openai.resources.beta import", "openai/beta/realtime"),
    context=(("realtime",),),
    options={
        # TypeScript / JavaScript (openai-node): the beta realtime entry points and their GA twins (G.3)
        "js_modules": {
            "openai/beta/realtime/ws": "openai/realtime/ws",
            "openai/beta/realtime/websocket": "openai/realtime/websocket",
            "openai/beta/realtime/index": "openai/realtime/index",
        },
        "shared_names": SHARED_NAMES,
        "shared_modules": SHARED_MODULES,
        "class_renames": CLASS_RENAMES,
        "review": REVIEW,
        "beta_only_modules": BETA_ONLY_MODULES,
        "resource_names": RESOURCE_NAMES,
        "resource_hints": RESOURCE_HINTS,
        "helper_hints": HELPER_HINTS,
        "class_to_union": CLASS_TO_UNION,
        "transcription_helper_hints": TRANSCRIPTION_HELPER_HINTS,
    },
    references=("G2", "G3", "G4", "G5", "C11", "D22", "D23", "D24", "J16"),
    fix=FixAvailability.SOMETIMES,
    what="""
Finds `from openai.types.beta.realtime import X`, `from openai.types.beta.realtime.<module> import X`,
`import openai.types.beta.realtime[.<module>] [as m]`, `from openai.types.beta import realtime`, the
same forms under `openai.resources.beta.realtime`, and `openai.types.beta.realtime.X` chains reached
through `import openai`. The 57 names present on both sides move to `openai.types.realtime` (G2);
classes GA renamed (G3: `ErrorEvent` → `RealtimeErrorEvent`, `Error` → `RealtimeError`,
`OutputAudioBufferClear` → `OutputAudioBufferClearEvent`, `Logprob` → `LogProbProperties`, the usage
token details) are renamed in the import and at every use of the imported name; the connection
classes move to `openai.resources.realtime.realtime` (G5). Beta-only names (G4) are reported with
their GA equivalent.
""",
    why="""
The beta types describe the preview wire shape, which GA servers refuse. `openai` 3.54 still ships
them (J16), so nothing fails at import time: code type-checks against the wrong protocol.
""",
    example="""
from openai.types.beta.realtime import ErrorEvent, ResponseTextDeltaEvent

def on_error(event: ErrorEvent) -> None: ...
""",
    use_instead="""
from openai.types.realtime import RealtimeErrorEvent, ResponseTextDeltaEvent

def on_error(event: RealtimeErrorEvent) -> None: ...
""",
    fix_safety="""
Safe for the shared names and the G3 renames: the GA classes have the same fields (the usage input
token details gain optional `image_tokens` and `cached_tokens_details`). Uses are found with scope
analysis, so only references to the imported name are renamed; with `import X as Y` the uses keep
`Y`; a renamed name listed in this module's `__all__` is imported as `New as Old` so importers of
this module keep working. Unsafe where one GA class replaces a beta-only one with a different
shape (`SessionCreateParams` → `ClientSecretCreateParams`, `TranscriptionSessionUpdatedEvent` →
`SessionUpdatedEvent`, `response_create_event.Response` → `RealtimeResponseCreateParams`, …) or
when a use of a renamed name could not be followed; unsafe too when `ConversationItem(Param)` is
called or used in `isinstance` (a class in beta, a discriminated union alias in GA), and for every
import of a file that keeps preview-only types (a GA event built around a preview object fails
validation, so the file needs a human anyway). A beta import in the `except ImportError:` fallback
of a GA-first `try` is compatibility code and is left alone. Beta-only names with no single GA equivalent
(`Session`, `ConversationItemContent`, `ConversationItemWithReference`, the `session_update_event`
helper classes, `Sessions` resources) are reported only; when a statement mixes them with fixable
names it is split, and the beta-only names stay on the (still importable) beta import. A module
import is rewritten only when every `module.X` use has a GA twin in the GA module.
""",
    examples=(
        Example(
            before=(
                "from openai.types.beta.realtime import ErrorEvent, ResponseTextDeltaEvent\n\n\n"
                "def on_error(event: ErrorEvent) -> None:\n    print(event.error.message)\n"
            ),
            after=(
                "from openai.types.realtime import RealtimeErrorEvent, ResponseTextDeltaEvent\n\n\n"
                "def on_error(event: RealtimeErrorEvent) -> None:\n    print(event.error.message)\n"
            ),
        ),
        Example(
            before="from openai.resources.beta.realtime.realtime import AsyncRealtimeConnection\n",
            after="from openai.resources.realtime.realtime import AsyncRealtimeConnection\n",
        ),
        Example(
            before="from openai.types.beta.realtime import Session\n",
            after=None,
        ),
    ),
)
