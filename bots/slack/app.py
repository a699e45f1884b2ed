"""``create_slack_app``: the Bolt app. Listeners only acknowledge and hand the request to a
worker pool (``bots.slack.work``); each handler parses the event, calls one core service and
renders blocks."""

from __future__ import annotations

import dataclasses
import logging
import re

from slack_bolt import App, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from assistant.bootstrap import Assistant
from assistant.channel_settings import SETTINGS_USAGE, ChannelSettings, parse_changes
from assistant.chat_threads import ThreadInfo
from assistant.config import Settings
from assistant.conversation import is_question, with_context
from assistant.errors import AuditprepError, InvalidInput
from assistant.feedback import REASONS
from assistant.request_dedupe import request_key
from bots.slack import blocks as ui
from bots.slack.install import build_oauth_flow, oauth_enabled
from bots.slack.logs import BoundedRecords
from bots.slack.work import WorkPool

log = logging.getLogger(__name__)
_MENTION = re.compile(r"<@[A-Z0-9]+>")
_IGNORED_SUBTYPES = {
    "message_changed",
    "message_deleted",
    "bot_message",
    "channel_join",
    "channel_leave",
    "message_replied",
}


def create_slack_app(assistant: Assistant, settings: Settings, client: WebClient | None = None) -> App:
    """The Bolt app, wired to the assistant's services.

    ``process_before_response`` is on because no listener does slow work: each acks and
    queues, so Bolt's own executor (shared by acks and lazy listeners) is never used.
    """
    installs = oauth_enabled(settings)  # many workspaces, tokens from the database
    if client is None:
        kwargs = {} if installs else {"token": settings.slack_bot_token.get_secret_value()}
        if settings.slack_api_url:
            kwargs["base_url"] = settings.slack_api_url.rstrip("/") + "/"
        client = WebClient(**kwargs)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=2))
    bolt_logger = logging.getLogger("bots.slack.bolt")
    if not any(isinstance(f, BoundedRecords) for f in bolt_logger.filters):
        bolt_logger.addFilter(BoundedRecords())
    app = App(
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value() or None,
        process_before_response=True,
        logger=bolt_logger,
        oauth_flow=build_oauth_flow(settings, assistant.engine, client) if installs else None,
    )
    seen = assistant.seen_requests

    @app.middleware
    def once(body: dict, next_) -> BoltResponse | None:
        """A retried or replayed request is acknowledged and not acted on again."""
        key = request_key(body)
        if key is not None and not seen.first_time(key):
            return BoltResponse(status=200, body="")
        return next_()

    Handlers(app, assistant, settings).register()
    return app


class Handlers:
    """Every listener acks at once; the work runs on ``quick`` (Slack calls, stores) or
    ``answers`` (anything that retrieves or grades)."""

    QUICK_WORKERS = 2

    def __init__(self, app: App, assistant: Assistant, settings: Settings) -> None:
        self.app = app
        self.assistant = assistant
        self.settings = settings
        self.threads = assistant.chat_threads
        self.channels = assistant.channel_settings
        self.feedback = assistant.feedback
        self.limiter = assistant.limiter
        self.answers = WorkPool(settings.slack_workers, "slack-answer")
        self.quick = WorkPool(self.QUICK_WORKERS, "slack-quick")

    def register(self) -> None:
        a = self.app
        a.event("app_mention")(self._on_event(self.on_mention))
        a.event("message")(self._on_event(self.on_message))
        a.command("/mock-audit")(self._on_command(self.on_mock_audit, self.answers))
        a.command("/readiness")(self._on_command(self.on_readiness, self.answers))
        a.command("/auditprep-settings")(self._on_command(self.on_settings, self.quick, status=False))
        a.action("share_answer")(self._on_action(self.on_share))
        a.action("feedback_up")(self._on_action(self.on_feedback_up))
        a.action("feedback_down")(self._on_action(self.on_feedback_down))
        a.action(re.compile(r"^feedback_reason_\w+$"))(self._on_action(self.on_feedback_reason))
        a.action("show_passages")(self._on_action(self.on_show_passages))
        a.action("interview_skip")(self._on_action(self.on_interview_skip, self.answers))
        a.action("interview_end")(self._on_action(self.on_interview_end, self.answers))

    # -- acknowledgement: ack, then queue -----------------------------------------------
    def _on_event(self, handle):
        def listener(ack, event: dict, client: WebClient, context) -> None:
            ack()
            self.quick.submit(event.get("user") or "", lambda: handle(event, client, context))

        return listener

    def _on_command(self, handle, pool: WorkPool, status: bool = True):
        def listener(ack, command: dict, client: WebClient, context, respond) -> None:
            if status:
                ack(response_type="ephemeral", text=self._status(command.get("user_id", "")))
            else:
                ack()

            def work() -> None:
                try:
                    handle(command, client, context, respond)
                except Exception:
                    respond(response_type="ephemeral", text="Sorry, something went wrong on my side.")
                    raise

            pool.submit(command.get("user_id", ""), work)

        return listener

    def _on_action(self, handle, pool: WorkPool | None = None):
        def listener(ack, body: dict, action: dict, client: WebClient, respond) -> None:
            ack()
            user = (body.get("user") or {}).get("id", "")
            (pool or self.quick).submit(user, lambda: handle(body, action, client, respond))

        return listener

    def _status(self, user: str) -> str:
        """What someone waiting is told: never a silent queue."""
        if self.answers.pending(user):
            return "Still working on your earlier request — this one comes right after. :hourglass:"
        if self.answers.busy():
            ahead = self.answers.pending() - self.settings.slack_workers + 1
            return f"Working on it… {ahead} request{'s' if ahead != 1 else ''} ahead of yours. :hourglass:"
        return "Working on it… :hourglass:"

    # -- helpers ---------------------------------------------------------------------
    def _post(self, client: WebClient, **kwargs) -> dict | None:
        try:
            return client.chat_postMessage(**kwargs).data
        except SlackApiError as exc:
            log.warning("Slack refused chat.postMessage: %s", exc.response.get("error"))
            return None

    def _update(self, client: WebClient, **kwargs) -> None:
        try:
            client.chat_update(**kwargs)
        except SlackApiError as exc:
            log.warning("Slack refused chat.update: %s", exc.response.get("error"))
            self._post(
                client,
                channel=kwargs["channel"],
                thread_ts=kwargs.get("thread_ts"),
                text="Sorry, Slack did not accept my reply. Please try again.",
            )

    def _connected(self, client: WebClient, cfg: ChannelSettings, channel: str, user: str, thread_ts: str) -> bool:
        """False (after telling the asker) when the channel has no workspace."""
        if cfg.workspace:
            return True
        self._tell(
            client,
            cfg,
            channel,
            user,
            thread_ts,
            "Sorry, this channel is not connected to an auditprep workspace yet. A Slack admin can "
            "connect it with `/auditprep-settings workspace=NAME`.",
        )
        return False

    def _tell(self, client: WebClient, cfg: ChannelSettings, channel: str, user: str, thread_ts: str, text: str):
        """A short note to the asker: in the thread, or only to them where answers are private."""
        if cfg.ephemeral:
            return self._post_ephemeral(client, channel=channel, user=user, thread_ts=thread_ts, text=text)
        return self._post(client, channel=channel, thread_ts=thread_ts, text=text)

    def _post_ephemeral(self, client: WebClient, **kwargs) -> dict | None:
        try:
            return client.chat_postEphemeral(**kwargs).data
        except SlackApiError as exc:
            log.warning("Slack refused chat.postEphemeral: %s", exc.response.get("error"))
            return None

    def _answer(
        self,
        client: WebClient,
        cfg: ChannelSettings,
        team: str | None,
        channel: str,
        user: str,
        text: str,
        thread_ts: str,
    ) -> None:
        """Post a status at once, then answer on the answer pool with the thread as context."""
        if not self._connected(client, cfg, channel, user, thread_ts):
            return
        if self.limiter.acquire("slack", f"{team or '-'}:{user}") is not None:
            self._tell(
                client, cfg, channel, user, thread_ts, "You're asking faster than I can answer; please wait a minute."
            )
            return
        working = self._tell(client, cfg, channel, user, thread_ts, self._status(user))
        if cfg.ephemeral:
            working = None  # a message only its reader sees cannot be edited; the answer follows it
        history = self.threads.history(channel, thread_ts)
        question = with_context(text, history, self.settings.max_question_chars)
        self.answers.submit(
            user, lambda: self._run_answer(client, cfg, team, channel, user, text, question, thread_ts, working)
        )

    def _run_answer(
        self,
        client: WebClient,
        cfg: ChannelSettings,
        team: str | None,
        channel: str,
        user: str,
        text: str,
        question: str,
        thread_ts: str,
        working: dict | None,
    ) -> None:
        workspace = cfg.workspace or ""
        try:
            answer = self.assistant.ask.ask(question[: self.settings.max_question_chars], workspace)
        except InvalidInput as exc:
            failure = f"I can't answer that: {exc}"
        except Exception as exc:  # the asker must not be left with "Working on it…" forever
            log.error("ask failed: %s", type(exc).__name__, exc_info=not isinstance(exc, AuditprepError))
            failure = "Sorry, something went wrong on my side."
        else:
            failure = None
        if failure is not None:
            if cfg.ephemeral:
                self._tell(client, cfg, channel, user, thread_ts, failure)
            else:
                self._reply(client, channel, thread_ts, working, failure, None)
            return
        feedback_id = self.feedback.record_answer(answer, f"slack:{team}/{channel}")
        public = self.settings.public_url
        if cfg.ephemeral:
            fallback, blocks = ui.answer_blocks(answer, feedback_id, public, share=thread_ts)
            self._post_ephemeral(client, channel=channel, user=user, thread_ts=thread_ts, text=fallback, blocks=blocks)
        else:
            fallback, blocks = ui.answer_blocks(answer, feedback_id, public)
            self._reply(client, channel, thread_ts, working, fallback, blocks)
        self.threads.put(ThreadInfo(channel, thread_ts, "ask", workspace, user, None, text))
        self.threads.add_exchange(channel, thread_ts, user, text, answer.text)

    def _reply(self, client, channel, thread_ts, working, text, blocks) -> None:
        if working and working.get("ts"):
            self._update(client, channel=channel, ts=working["ts"], text=text, blocks=blocks or [])
        else:
            self._post(client, channel=channel, thread_ts=thread_ts, text=text, blocks=blocks)

    # -- events ----------------------------------------------------------------------
    def on_mention(self, event: dict, client: WebClient, context) -> None:
        if event.get("bot_id") or event.get("subtype") in _IGNORED_SUBTYPES:
            return
        text = _MENTION.sub("", event.get("text", "")).strip()
        channel, parent = event["channel"], event.get("thread_ts")
        team, user = context.team_id or event.get("team"), event.get("user", "")
        cfg = self.channels.effective(team, channel)
        if not cfg.enabled:
            self._post_ephemeral(
                client, channel=channel, user=user, thread_ts=parent, text="auditprep is turned off in this channel."
            )
            return
        if parent:
            info = self.threads.get(channel, parent)
            if info and info.kind == "interview":
                self._interview_reply(client, event, info, text)
                return
        if not text:
            hint = "Ask me a readiness question, e.g. “Do we have evidence for change management?”"
            self._tell(client, cfg, channel, user, parent or event["ts"], hint)
            return
        self._answer(client, cfg, team, channel, user, text, parent or event["ts"])

    def on_message(self, event: dict, client: WebClient, context) -> None:
        """Direct messages, and replies in the bot's threads (a ``thread_broadcast`` reply,
        also sent to the channel, counts as a reply)."""
        if event.get("bot_id") or event.get("subtype") in _IGNORED_SUBTYPES or "user" not in event:
            return
        if context.bot_user_id and event.get("user") == context.bot_user_id:
            return
        raw = event.get("text", "")
        text, channel, parent = raw.strip(), event["channel"], event.get("thread_ts")
        in_dm = event.get("channel_type") == "im"
        names_bot = bool(context.bot_user_id) and f"<@{context.bot_user_id}>" in raw
        if names_bot and not in_dm:
            return  # the app_mention event carries it
        cfg = self.channels.effective(context.team_id, channel)
        if not cfg.enabled:
            return
        if in_dm:  # a direct message is private already, and every message in it is for the bot
            cfg = dataclasses.replace(cfg, ephemeral=False, tagged_only=False)
        if parent:
            info = self.threads.get(channel, parent)
            if info is None:
                return
            if info.kind == "interview":
                self._interview_reply(client, event, info, text)
            elif text and is_question(mentioned=names_bot, author=event["user"], asker=info.owner):
                self._answer(client, cfg, context.team_id, channel, event["user"], text, parent)
            return
        if text and (in_dm or not cfg.tagged_only):
            self._answer(client, cfg, context.team_id, channel, event["user"], text, event["ts"])

    # -- interviews ------------------------------------------------------------------
    def on_mock_audit(self, command: dict, client: WebClient, context, respond) -> None:
        channel, user = command["channel_id"], command["user_id"]
        refusal, workspace = self._command_workspace(command)
        if refusal is None and not self.channels.effective(command.get("team_id"), channel).rehearsals:
            refusal = "Rehearsals are turned off in this channel; try a direct message with me."
        if refusal is not None or workspace is None:
            respond(response_type="ephemeral", text=refusal)
            return
        target, length = parse_mock_audit(command.get("text", ""))
        try:
            state = self.assistant.interviews.start(workspace, target, length, owner=user)
        except InvalidInput as exc:
            respond(response_type="ephemeral", text=f"I can't start that rehearsal: {exc}")
            return
        current = state.current
        assert current is not None
        fallback, blocks = ui.turn_blocks(current, state.session.id, user, 1, state.session.length)
        posted = self._post(
            client,
            channel=channel,
            text=f"Mock audit for <@{user}> — {fallback}",
            blocks=[
                ui.section(
                    f"*Mock audit* for <@{user}> — {state.session.target_kind.value}: "
                    f"{ui.escape(state.session.target)}, {state.session.length} questions"
                ),
            ],
        )
        if posted is None:
            respond(response_type="ephemeral", text="Sorry, I could not post in this channel.")
            return
        thread_ts = posted["ts"]
        self.threads.put(ThreadInfo(channel, thread_ts, "interview", workspace, user, state.session.id, None))
        self._post(client, channel=channel, thread_ts=thread_ts, text=fallback, blocks=blocks)

    def _interview_reply(self, client: WebClient, event: dict, info: ThreadInfo, text: str) -> None:
        if event.get("user") != info.owner or info.session_id is None:
            return  # only the person rehearsing answers
        self.answers.submit(
            info.owner or "", lambda: self._advance(client, event["channel"], event["thread_ts"], info, text)
        )

    def _advance(self, client: WebClient, channel: str, thread_ts: str, info: ThreadInfo, text: str) -> None:
        try:
            result = self.assistant.interviews.answer(info.session_id, text)
        except InvalidInput as exc:
            self._post(client, channel=channel, thread_ts=thread_ts, text=str(exc))
            return
        if result.message and result.next is not None and result.next.index == result.answered.index:
            self._post(client, channel=channel, thread_ts=thread_ts, text=result.message)
            return
        if result.message == "already recorded":
            return
        self._show_result(client, channel, thread_ts, info, result)

    def _show_result(self, client: WebClient, channel: str, thread_ts: str, info: ThreadInfo, result) -> None:
        """The grade of an answer, then the summary or the next question."""
        service = self.assistant.interviews
        fallback, blocks = ui.assessment_blocks(result.assessment)
        self._post(client, channel=channel, thread_ts=thread_ts, text=fallback, blocks=blocks)
        if result.summary is not None:
            fallback, blocks = ui.summary_blocks(result.summary)
            self._post(client, channel=channel, thread_ts=thread_ts, text=fallback, blocks=blocks)
            return
        if result.next is not None:
            state = service.get(info.session_id)
            number = len({t.question_id for t in state.turns})
            fallback, blocks = ui.turn_blocks(
                result.next, info.session_id, info.owner or "", number, state.session.length
            )
            self._post(client, channel=channel, thread_ts=thread_ts, text=fallback, blocks=blocks)

    def _thread_of(self, body: dict) -> tuple[str, str] | None:
        channel = (body.get("channel") or {}).get("id")
        message = body.get("message") or {}
        thread_ts = message.get("thread_ts") or message.get("ts")
        return (channel, thread_ts) if channel and thread_ts else None

    def on_interview_skip(self, body: dict, action: dict, client: WebClient, respond) -> None:
        where = self._thread_of(body)
        info = self.threads.get(*where) if where else None
        if not info or info.kind != "interview" or info.session_id is None:
            return
        user = body["user"]["id"]
        if user != info.owner:
            respond(response_type="ephemeral", replace_original=False, text=f"Only <@{info.owner}> can skip here.")
            return
        turn = int(action["value"].rsplit(":", 1)[1]) if ":" in action.get("value", "") else None
        try:
            result = self.assistant.interviews.answer(info.session_id, "skip", turn)
        except InvalidInput:
            self._settle(body, respond, "This question was already answered.")
            return
        if result.message == "already recorded":
            self._settle(body, respond, "This question was already answered.")
            return
        self._settle(body, respond, f"⏭️ Skipped by <@{user}>")
        self._show_result(client, where[0], where[1], info, result)

    def on_interview_end(self, body: dict, action: dict, client: WebClient, respond) -> None:
        where = self._thread_of(body)
        info = self.threads.get(*where) if where else None
        if not info or info.kind != "interview" or info.session_id is None:
            return
        user = body["user"]["id"]
        if user != info.owner:
            respond(response_type="ephemeral", replace_original=False, text=f"Only <@{info.owner}> can end this.")
            return
        if self.assistant.interviews.get(info.session_id).current is None:
            self._settle(body, respond, "This rehearsal has already ended.")
            return
        summary = self.assistant.interviews.end(info.session_id)
        self._settle(body, respond, f"⏹️ Rehearsal ended by <@{user}>")
        fallback, blocks = ui.summary_blocks(summary)
        self._post(client, channel=where[0], thread_ts=where[1], text=fallback, blocks=blocks)

    def _settle(self, body: dict, respond, outcome: str) -> None:
        """Replace the clicked message's buttons with what became of them."""
        blocks = ui.settled((body.get("message") or {}).get("blocks") or [], outcome)
        try:
            respond(replace_original=True, text=outcome, blocks=blocks)
        except Exception as exc:  # the outcome is a courtesy; the action itself stands
            log.warning("could not replace buttons: %s", type(exc).__name__)

    def _command_workspace(self, command: dict) -> tuple[str | None, str | None]:
        """(refusal, workspace) for a slash command in its channel."""
        cfg = self.channels.effective(command.get("team_id"), command.get("channel_id"))
        if not cfg.enabled:
            return "auditprep is turned off in this channel.", None
        if not cfg.workspace:
            return (
                "This channel is not connected to an auditprep workspace yet. A Slack admin can connect it "
                "with `/auditprep-settings workspace=NAME`.",
                None,
            )
        return None, cfg.workspace

    # -- settings --------------------------------------------------------------------
    def on_settings(self, command: dict, client: WebClient, context, respond) -> None:
        """``/auditprep-settings`` shows this channel's settings; admins change them."""
        team, channel, user = command.get("team_id") or "", command["channel_id"], command["user_id"]
        text = command.get("text", "").strip()
        if not text:
            current = self.channels.effective(team, channel)
            respond(
                response_type="ephemeral", text=f"auditprep in <#{channel}>: {current.describe()}\n{SETTINGS_USAGE}"
            )
            return
        if not self._is_admin(client, user):
            respond(response_type="ephemeral", text="Only Slack workspace admins and owners can change these settings.")
            return
        try:
            changes = parse_changes(text)
        except InvalidInput as exc:
            respond(response_type="ephemeral", text=f"{exc}\n{SETTINGS_USAGE}")
            return
        workspace = changes.get("workspace")
        if isinstance(workspace, str) and workspace not in self.channels.workspaces_of(team):
            respond(
                response_type="ephemeral",
                text=f"The workspace {ui.escape(workspace)} is not connected to this Slack team; "
                "your auditprep administrator can connect it.",
            )
            return
        updated = self.channels.update(team, channel, changes, user)
        respond(response_type="ephemeral", text=f"Updated auditprep in <#{channel}>: {updated.describe()}")

    def _is_admin(self, client: WebClient, user: str) -> bool:
        try:
            info = client.users_info(user=user).get("user") or {}
        except SlackApiError as exc:
            log.warning("Slack refused users.info: %s", exc.response.get("error"))
            return False
        return bool(info.get("is_admin") or info.get("is_owner") or info.get("is_primary_owner"))

    def on_share(self, body: dict, action: dict, client: WebClient, respond) -> None:
        """Post an answer only its asker saw into the channel, and say so in its place."""
        feedback_id, _, thread_ts = action.get("value", "").rpartition(":")
        try:
            item = self.feedback.get(feedback_id)
        except AuditprepError:
            return
        channel, user = (body.get("channel") or {}).get("id"), body["user"]["id"]
        fallback, blocks = ui.answer_blocks(item.answer, feedback_id, self.settings.public_url)
        shared = [ui.context([f"Shared by <@{user}>"]), *blocks]
        if self._post(client, channel=channel, thread_ts=thread_ts or None, text=fallback, blocks=shared) is None:
            respond(response_type="ephemeral", replace_original=False, text="Sorry, I could not post in this channel.")
            return
        respond(
            replace_original=True, text="✅ Shared in the channel.", blocks=[ui.section("✅ Shared in the channel.")]
        )

    # -- readiness -------------------------------------------------------------------
    def on_readiness(self, command: dict, client: WebClient, context, respond) -> None:
        refusal, workspace = self._command_workspace(command)
        if refusal is not None or workspace is None:
            respond(response_type="ephemeral", text=refusal)
            return
        served = self.assistant.readiness.cached(workspace)
        page = self.settings.public_url.strip().rstrip("/")
        where = f"<{page}/|the auditprep web page>" if page else "the auditprep web page"
        hint = f"Report {served.age.summary()}. The full report, with every clause, is on {where}."
        fallback, blocks = ui.readiness_blocks(served.report, hint)
        respond(response_type="ephemeral", text=fallback, blocks=blocks, replace_original=False)

    # -- feedback --------------------------------------------------------------------
    def on_feedback_up(self, body: dict, action: dict, client: WebClient, respond) -> None:
        user = body["user"]["id"]
        if self._rate(action["value"], "up", None):
            self._settle_answer(body, action["value"], respond, f"👍 <@{user}> found this helpful — thanks!")

    def on_feedback_down(self, body: dict, action: dict, client: WebClient, respond) -> None:
        user = body["user"]["id"]
        if not self._rate(action["value"], "down", None):
            return
        self._settle_answer(body, action["value"], respond, f"👎 <@{user}> found a problem with this answer.")
        fallback, blocks = ui.feedback_reason_blocks(action["value"])
        self._ephemeral(client, body, fallback, blocks)

    def on_feedback_reason(self, body: dict, action: dict, client: WebClient, respond) -> None:
        reason = action["action_id"].removeprefix("feedback_reason_")
        if reason in REASONS and self._rate(action["value"], "down", reason):
            text = "Noted — this case goes into our test set. Thank you."
            respond(replace_original=True, text=text, blocks=[ui.section(text)])

    def _settle_answer(self, body: dict, feedback_id: str, respond, outcome: str) -> None:
        """Re-render the rated answer with the outcome in place of the feedback buttons."""
        try:
            item = self.feedback.get(feedback_id)
        except AuditprepError:
            return
        container = body.get("container") or {}
        share = (
            (container.get("thread_ts") or container.get("message_ts") or "") if container.get("is_ephemeral") else None
        )
        fallback, blocks = ui.answer_blocks(item.answer, feedback_id, self.settings.public_url, outcome, share=share)
        respond(replace_original=True, text=fallback, blocks=blocks)

    def on_show_passages(self, body: dict, action: dict, client: WebClient, respond) -> None:
        try:
            item = self.feedback.get(action["value"])
        except AuditprepError:
            return
        fallback, blocks = ui.passages_blocks(item.answer, self.settings.public_url)
        self._ephemeral(client, body, fallback, blocks)

    def _rate(self, item_id: str, rating: str, reason: str | None) -> bool:
        try:
            self.feedback.rate(item_id, rating, reason)
        except AuditprepError:
            return False
        return True

    def _ephemeral(self, client: WebClient, body: dict, text: str, blocks: list | None) -> None:
        channel = (body.get("channel") or {}).get("id")
        message = body.get("message") or {}
        try:
            client.chat_postEphemeral(
                channel=channel,
                user=body["user"]["id"],
                text=text,
                blocks=blocks,
                thread_ts=message.get("thread_ts") or message.get("ts"),
            )
        except SlackApiError as exc:
            log.warning("Slack refused chat.postEphemeral: %s", exc.response.get("error"))


def parse_mock_audit(text: str) -> tuple[str, int]:
    """'/mock-audit 8.5.1 3' → ('8.5.1', 3); default target change management, 5 questions."""
    parts = text.strip().split()
    length = 5
    if parts and parts[-1].isdigit():
        length = max(1, min(20, int(parts.pop())))
    target = " ".join(parts) or "change management"
    return target, length
