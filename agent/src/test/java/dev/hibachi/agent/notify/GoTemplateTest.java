package dev.hibachi.agent.notify;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class GoTemplateTest {
    private static final String URL = "http://h:8080/ui/jobs/backup/executions/x";

    private static String render(String template, Notice notice) {
        return GoTemplate.parse("--flag", template).render(TemplateVariables.of(notice, "leader-1", URL));
    }

    @Test
    void everyVariableOfAOneNodeRun() {
        Notice n = Notices.finished("success", "all good", Map.of(), null);
        String all = "{{.JobName}}|{{.ReportingNode}}|{{.StartTime}}|{{.FinishedAt}}|{{.Success}}|{{.NodeName}}|"
                + "{{.Output}}|{{.Status}}|{{.Event}}|{{.DeliveryId}}|{{.Detail}}|{{.RunID}}|{{.URL}}";

        assertThat(render(all, n)).isEqualTo("backup|leader-1|2024-05-01 10:00:00.25 +0000 UTC|"
                + "2024-05-01 10:00:03.5 +0000 UTC|true|web-1|all good|success|run-finished|d-42|backup success|"
                + "1714557600000000000|" + URL);
        assertThat(render("{{.Report}}", n)).isEqualTo("""
                Executed: backup
                Reporting node: leader-1
                Start time: 2024-05-01 10:00:00.25 +0000 UTC
                End time: 2024-05-01 10:00:03.5 +0000 UTC
                Success: true
                Node: web-1
                Output: all good
                Execution group: 1714557600000000000
                \t[Node]: web-1 [Start]: 2024-05-01 10:00:00.25 +0000 UTC [End]: 2024-05-01 10:00:03.5 +0000 UTC \
                [Success]: true
                """);
    }

    @Test
    void aRunOnSeveralNodesIsFolded() {
        Notice n = Notices.twoNodes();

        assertThat(render("{{.NodeName}}/{{.Success}}/{{.StartTime}}/{{.FinishedAt}}", n))
                .isEqualTo("web-1, web-2/false/2024-05-01 10:00:00.25 +0000 UTC/2024-05-01 10:00:03.5 +0000 UTC");
        assertThat(render("{{.Output}}", n)).isEqualTo("--- web-1 ---\none\n--- web-2 ---\ntwo\n");
        assertThat(render("{{.Report}}", n)).contains("\t[Node]: web-1 ").contains("[Success]: true\n")
                .contains("\t[Node]: web-2 ").endsWith("[Success]: false\n");
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', quoteCharacter = '`', value = {
            "{{if .Success}}OK{{else}}KO{{end}};OK;KO",
            "{{if not .Success}}KO{{else}}OK{{end}};OK;KO",
            "{{if .Success}}OK{{else if .Output}}out{{else}}none{{end}};OK;out",
            "{{if not .Success}}{{if .Output}}bad: {{.Output}}{{end}}{{end}};``;bad: x",
            "a  {{- .JobName -}}  b;abackupb;abackupb",
            "x{{/* a note */}}y;xy;xy",
            "C:\\{{.JobName}};C:\\backup;C:\\backup"})
    void ifElseTrimCommentsAndBackslashes(String template, String onSuccess, String onFailure) {
        assertThat(render(template, Notices.finished("success", "x", Map.of(), null))).isEqualTo(onSuccess);
        assertThat(render(template, Notices.finished("failed", "x", Map.of(), null))).isEqualTo(onFailure);
    }

    @Test
    void plainTextIsNotEscaped() {
        assertThat(render("{{.Output}}", Notices.finished("success", "<b>\"&'</b>", Map.of(), null)))
                .isEqualTo("<b>\"&'</b>");
    }

    @Test
    void aJsonPayloadStaysJsonWhateverTheOutput() throws Exception {
        String output = "he said \"hi\"\nthen \\left\ttab \u0007";
        String rendered = render("{\"text\": \"{{.JobName}} {{.Output}}\", \"ok\": {{.Success}}}",
                Notices.finished("failed", output, Map.of(), null));

        JsonNode json = new ObjectMapper().readTree(rendered);
        assertThat(json.get("text").asText()).isEqualTo("backup " + output);
        assertThat(json.get("ok").asBoolean(true)).isFalse();
        assertThat(GoTemplate.parse("--f", "[\"{{.JobName}}\"]").isJson()).isTrue();
        assertThat(GoTemplate.parse("--f", "job {{.JobName}}").isJson()).isFalse();
    }

    @ParameterizedTest
    @CsvSource(delimiter = ';', quoteCharacter = '`', value = {
            "{{.Jobname}};--webhook-payload: unknown variable .Jobname at line 1, column 1; the variables are",
            "a\\nb {{range .X}};--webhook-payload: '{{range .X}}' at line 2, column 3 is not supported",
            "{{.JobName | printf \"%s\"}};is not supported",
            "{{$x := 1}};is not supported",
            "{{.JobName;--webhook-payload: unclosed action at line 1, column 1",
            "{{if .Success}}x;--webhook-payload: {{if}} without {{end}}",
            "x{{end}};--webhook-payload: {{end}} without {{if}} at line 1, column 2",
            "{{else}};--webhook-payload: {{else}} without {{if}}",
            "{\"text\": {{.Output}}};--webhook-payload: the payload starts like JSON but is not valid JSON",
            "{\"text\": \"{{.Output}}\";--webhook-payload: the payload starts like JSON but is not valid JSON"})
    void aBadTemplateIsRefusedNamingTheFlag(String template, String message) {
        assertThatThrownBy(() -> GoTemplate.parse("--webhook-payload", template.replace("\\n", "\n")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining(message)
                .hasMessageStartingWith("--webhook-payload: ");
    }
}
