using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace DependencyProxy.Data.Migrations.PostgreSql
{
    /// <inheritdoc />
    public partial class DockerHubCredentialsInTheCredentialTable : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AlterColumn<string>(
                name: "SecretProtected",
                table: "GroupUpstreamCredentials",
                type: "text",
                nullable: true,
                oldClrType: typeof(string),
                oldType: "text");

            migrationBuilder.AlterColumn<string>(
                name: "Identity",
                table: "GroupUpstreamCredentials",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true,
                oldClrType: typeof(string),
                oldType: "character varying(255)",
                oldMaxLength: 255);

            // Docker Hub's account moves from the group row to the table of the other registries' accounts, as it was
            // (either part may be set alone). The table never held a docker.io row the code read: any is replaced.
            migrationBuilder.Sql("""
                DELETE FROM "GroupUpstreamCredentials" WHERE "Registry" = 'docker.io';
                """);
            migrationBuilder.Sql("""
                INSERT INTO "GroupUpstreamCredentials" ("GroupId", "Registry", "Identity", "SecretProtected", "CreatedAt")
                SELECT "Id", 'docker.io', "DockerHubIdentity", "DockerHubSecretProtected", CURRENT_TIMESTAMP
                FROM "Groups"
                WHERE "DockerHubIdentity" IS NOT NULL OR "DockerHubSecretProtected" IS NOT NULL;
                """);

            migrationBuilder.DropColumn(
                name: "DockerHubIdentity",
                table: "Groups");

            migrationBuilder.DropColumn(
                name: "DockerHubSecretProtected",
                table: "Groups");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "DockerHubIdentity",
                table: "Groups",
                type: "character varying(255)",
                maxLength: 255,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "DockerHubSecretProtected",
                table: "Groups",
                type: "text",
                nullable: true);

            // Docker Hub's account goes back onto the group row.
            migrationBuilder.Sql("""
                UPDATE "Groups" SET
                    "DockerHubIdentity" = (SELECT c."Identity" FROM "GroupUpstreamCredentials" c
                        WHERE c."GroupId" = "Groups"."Id" AND c."Registry" = 'docker.io'),
                    "DockerHubSecretProtected" = (SELECT c."SecretProtected" FROM "GroupUpstreamCredentials" c
                        WHERE c."GroupId" = "Groups"."Id" AND c."Registry" = 'docker.io');
                """);
            migrationBuilder.Sql("""
                DELETE FROM "GroupUpstreamCredentials" WHERE "Registry" = 'docker.io' OR "Identity" IS NULL OR "SecretProtected" IS NULL;
                """);

            migrationBuilder.AlterColumn<string>(
                name: "SecretProtected",
                table: "GroupUpstreamCredentials",
                type: "text",
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "text",
                oldNullable: true);

            migrationBuilder.AlterColumn<string>(
                name: "Identity",
                table: "GroupUpstreamCredentials",
                type: "character varying(255)",
                maxLength: 255,
                nullable: false,
                defaultValue: "",
                oldClrType: typeof(string),
                oldType: "character varying(255)",
                oldMaxLength: 255,
                oldNullable: true);
        }
    }
}
